// A static copy's search page (templates/reader_static_search.html): runs the search in the
// address (?q=, sort, year, kind) against the Pagefind index in pagefind/
// (etl/static_search.py), a shard of tweets at a time from the newest, and draws each result
// as the site's tweet card (_tweet.html) with the match marked. Archive text only ever
// becomes text nodes.
const PAGE = 25;
const KINDS = ["tweet", "reply", "retweet", "quote"];
const RETWEET_PREFIX = /^RT @[A-Za-z0-9_]{1,15}:?\s*/;
const LETTER = /[\p{L}\p{N}_]/u;

function start(results) {
  const form = document.querySelector("form.reader-search-form");
  const params = new URLSearchParams(location.search);
  const asked = {
    q: (params.get("q") || "").slice(0, 500),
    sort: params.get("sort") || "relevance",
    year: params.get("year") || "",
    kind: params.get("kind") || "",
  };
  for (const [name, value] of Object.entries(asked)) {
    const field = form && form.elements.namedItem(name);
    if (!field) continue;
    if (field.tagName === "SELECT" && ![...field.options].some((o) => o.value === value)) {
      asked[name] = field.value;
      continue;
    }
    field.value = value;
  }
  if (!asked.q.trim()) return;
  const page = new SearchPage(results, asked);
  page.run().catch((error) => {
    page.say("The search index of this copy could not be read, so it can't search here.");
    console.warn(error);
  });
}

// Splits text into the words the index holds (tweet_site/search_words.py), with where each
// lies in the text: the n-th word is the n-th location Pagefind reports.
class Words {
  constructor(separators, runs) {
    this.word = new RegExp(`[^${separators}]+`, "gu");
    this.run = new RegExp(`[${runs}]+`, "gu");
  }

  // [[start, end, text, isRun]] of each space-free word's pieces.
  pieces(text) {
    const found = [];
    for (const word of text.matchAll(this.word)) {
      let at = 0;
      for (const run of word[0].matchAll(this.run)) {
        if (run.index > at) found.push([word.index + at, word.index + run.index, false]);
        found.push([word.index + run.index, word.index + run.index + run[0].length, true]);
        at = run.index + run[0].length;
      }
      if (at < word[0].length) found.push([word.index + at, word.index + word[0].length, false]);
    }
    return found.map(([start, end, isRun]) => [start, end, text.slice(start, end), isRun]);
  }

  // The indexed words: a run of Japanese or Chinese as its pairs, the last character alone.
  indexed(text) {
    const words = [];
    for (const [start, end, , isRun] of this.pieces(text)) {
      if (!isRun) words.push({ start, end, run: false });
      else for (let i = start; i < end; i++) words.push({ start: i, end: Math.min(i + 2, end), run: true });
    }
    return words;
  }

  // What Pagefind is asked, as searches whose results every match is in: each word alone
  // (its other forms and the words it begins), a run of Japanese or Chinese as its pairs in a
  // row (of one character: the indexed words starting with it), "a phrase" as its words in
  // a row. One search of them all would be Pagefind's, which leaves out a word found nowhere
  // and then takes a word the missing one begins with (東京大学 finding 東京 alone).
  query(q) {
    const phrase = /^\s*".+"\s*$/.test(q);
    const searches = [];
    const terms = [];
    const pairs = new Set();
    const words = [];
    const runs = [];
    for (const [, , piece, isRun] of this.pieces(phrase ? q.trim().slice(1, -1) : q)) {
      if (!isRun) {
        const word = piece.toLowerCase().replace(/[^\p{L}\p{N}_]/gu, "");
        if (!word) continue;
        words.push(word);
        terms.push(piece);
        searches.push(piece);
      } else if (piece.length === 1) {
        terms.push(piece);
        searches.push(piece);
      } else {
        runs.push(piece);
        const run = [];
        for (let i = 0; i + 1 < piece.length; i++) run.push(piece.slice(i, i + 2));
        run.forEach((pair) => pairs.add(pair));
        terms.push(...run);
        searches.push(`"${run.join(" ")}"`);
      }
    }
    return {
      searches: phrase && terms.length ? [`"${terms.join(" ")}"`] : [...new Set(searches)],
      pairs,
      words,
      runs,
    };
  }
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

class SearchPage {
  constructor(results, asked) {
    this.results = results;
    this.asked = asked;
    this.summary = results.querySelector(".search-summary");
    this.list = results.querySelector(".search-results");
    this.more = results.querySelector(".search-more");
    this.words = new Words(results.dataset.separators, results.dataset.runs);
    this.query = this.words.query(asked.q);
    this.bundle = new URL(results.dataset.src, document.baseURI);
    this.site = new URL("../", this.bundle);
    this.pending = [];
    this.found = 0;
    this.next = 0;
    this.searchedBack = null;
    this.more.addEventListener("click", () =>
      this.showMore().catch((error) => {
        this.say("The search index of this copy could not be read, so it can't search further.");
        console.warn(error);
      }),
    );
  }

  say(message) {
    this.summary.classList.remove("zero-results");
    this.summary.textContent = message;
  }

  options() {
    const options = { filters: {} };
    if (this.asked.sort === "newest") options.sort = { date: "desc" };
    if (this.asked.year) options.filters.year = this.asked.year;
    const kind = this.asked.kind;
    const kinds = KINDS.includes(kind) ? [kind] : KINDS.filter((k) => !kind.includes(`-${k}`));
    if (kind && kinds.length) options.filters.kind = { any: kinds };
    return options;
  }

  async run() {
    this.say("Searching…");
    const [pagefind, manifest] = await Promise.all([
      import(this.bundle.href),
      fetch(new URL("tweets.json", this.bundle)).then((response) => {
        if (!response.ok) throw new Error(`tweets.json: ${response.status}`);
        return response.json();
      }),
    ]);
    this.pagefind = pagefind;
    this.tag = String(manifest.tag);
    this.shards = manifest.shards.filter((s) => !this.asked.year || s.years.includes(this.asked.year));
    this.shardSize = manifest.shards.length > 1 ? manifest.shards[0].tweets : 0;
    if (!this.query.searches.length) {
      this.say("Type a word to search for.");
      return;
    }
    await this.showMore();
  }

  // A Pagefind instance of one shard: Pagefind picks the index named by the page's
  // language when an instance starts, and each shard is a language of the bundle.
  instance(shard) {
    const html = document.documentElement;
    const lang = html.getAttribute("lang");
    html.setAttribute("lang", shard.language);
    try {
      // The build's tag in place of Pagefind's per-instance cache buster: the shards share
      // one pagefind-entry.json, fetched once.
      return this.pagefind.createInstance({
        basePath: new URL("./", this.bundle).href,
        metaCacheTag: this.tag,
      });
    } finally {
      if (lang === null) html.removeAttribute("lang");
      else html.setAttribute("lang", lang);
    }
  }

  // Searches older shards until a page of results waits or none is left. One at a time: an
  // instance's WebAssembly starts on its first search, and two starting at once clash.
  async fill() {
    while (this.pending.length < PAGE && this.next < this.shards.length) {
      const shard = this.shards[this.next++];
      const found = await this.searchShard(this.instance(shard));
      this.found += found.length;
      this.pending.push(...found);
      this.searchedBack = shard.first;
    }
  }

  // The tweets of a shard every search of the query finds: their scores added (relevance:
  // the sum of each word's, as Pagefind's own; newest: each search scores a tweet by its
  // place in date order), their matched words together.
  async searchShard(instance) {
    let found = null;
    for (const text of this.query.searches) {
      const search = await instance.search(text, this.options());
      const results = new Map(search.results.map((r) => [r.id, r]));
      if (found === null) {
        found = new Map([...results].map(([id, r]) => [id, { ...r, words: [...(r.words || [])] }]));
      } else {
        for (const [id, result] of found) {
          const also = results.get(id);
          if (!also) {
            found.delete(id);
            continue;
          }
          result.score += also.score;
          result.words.push(...(also.words || []));
        }
      }
      if (!found.size) break;
    }
    return [...(found || new Map()).values()].sort((a, b) => b.score - a.score);
  }

  async showMore() {
    this.more.disabled = true;
    if (this.list.children.length) this.say("Searching…");
    await this.fill();
    const batch = this.pending.splice(0, PAGE);
    const fragments = await Promise.all(batch.map((result) => result.data()));
    fragments.forEach((fragment, i) => {
      const item = document.createElement("li");
      item.append(this.card(fragment, batch[i].words || []));
      this.list.append(item);
    });
    this.summarize();
    this.more.hidden = !(this.pending.length || this.next < this.shards.length);
    this.more.disabled = false;
  }

  summarize() {
    const complete = this.next >= this.shards.length;
    const filtered = this.asked.year || this.asked.kind;
    this.summary.textContent = "";
    if (!this.found && complete) {
      this.summary.classList.add("zero-results");
      this.summary.append("No tweet matches ", quoted(this.asked.q));
      this.summary.append(filtered ? " with these filters." : ".");
      return;
    }
    this.summary.classList.remove("zero-results");
    const count = this.found.toLocaleString("en");
    const strong = document.createElement("strong");
    strong.textContent = complete
      ? `${count} tweet${this.found === 1 ? "" : "s"}`
      : `At least ${count} tweets`;
    this.summary.append(strong, complete && this.found === 1 ? " matches " : " match ");
    this.summary.append(quoted(this.asked.q), ".");
    if (!complete && this.searchedBack) {
      this.summary.append(` Searched back to ${day(this.searchedBack)}; More results searches older tweets.`);
    }
    if (this.asked.sort !== "newest" && this.shardSize) {
      this.summary.append(
        ` Best matches first, ${this.shardSize.toLocaleString("en")} tweets at a time from the newest.`,
      );
    }
  }

  // A result as _tweet.html's card: its data rides after the # of the record's address.
  card(fragment, positions) {
    const raw = fragment.raw_url || fragment.url;
    const split = raw.indexOf("#");
    const tweet = JSON.parse(raw.slice(split + 1));
    const href = new URL(raw.slice(0, split), this.site).href;
    const retweet = tweet.k === "retweet" && tweet.r;
    const article = element("article", "tweet search-hit" + (retweet ? " is-retweet" : ""));
    const id = raw.slice(0, split).match(/(\d+)\/?$/);
    if (id) article.dataset.tweetId = id[1];
    if (retweet) {
      const by = element("p", "retweeted-by");
      const icon = element("span", "", "🔁");
      icon.setAttribute("aria-hidden", "true");
      by.append(icon, ` ${tweet.s ? "@" + tweet.s : "The archive's owner"} retweeted`);
      article.append(by);
    }
    const head = element("div", "tweet-head");
    const author = retweet ? tweet.r : tweet.s;
    if (author) head.append(element("span", "tweet-author", "@" + author));
    if (tweet.n && !retweet) {
      const name = element("span", "tweet-name", tweet.n);
      name.dir = "auto";
      head.append(name);
    }
    const time = element("a", "tweet-time");
    time.href = href;
    const stamp = element("time", "", tweet.w || tweet.d || "");
    if (tweet.d) stamp.setAttribute("datetime", tweet.d);
    time.append(stamp);
    head.append(time);
    if (tweet.k && tweet.k !== "tweet" && !retweet) {
      head.append(element("span", `tweet-kind kind-${tweet.k}`, tweet.k));
    }
    article.append(head);
    const text = element("div", "tweet-text");
    text.dir = "auto";
    if (tweet.l) text.lang = tweet.l;
    const body = tweet.t || "";
    const begin = retweet ? (body.match(RETWEET_PREFIX) || [""])[0].length : 0;
    this.markedText(text, body, begin, this.spans(body, positions));
    article.append(text);
    return article;
  }

  // Where the matched words lie in the text: every place of a run of Japanese or Chinese the
  // search holds (Pagefind reports a run's first place only), a pair of characters the
  // search holds whole, another pair its first character (the one a shorter search matched),
  // a word the searched words inside it, or the whole word less its punctuation (another
  // form of the word).
  spans(text, positions) {
    const words = this.words.indexed(text);
    const spans = [];
    for (const run of this.query.runs) {
      for (let at = text.indexOf(run); at >= 0; at = text.indexOf(run, at + 1)) {
        spans.push([at, at + run.length]);
      }
    }
    for (const position of positions) {
      const word = words[position];
      if (!word) continue;
      const piece = text.slice(word.start, word.end);
      if (word.run) {
        spans.push([word.start, this.query.pairs.has(piece) ? word.end : word.start + 1]);
        continue;
      }
      let inside = false;
      for (const searched of this.query.words) {
        const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(searched)}[\\p{L}\\p{N}_]*`, "giu");
        for (const match of piece.matchAll(pattern)) {
          spans.push([word.start + match.index, word.start + match.index + match[0].length]);
          inside = true;
        }
      }
      if (inside) continue;
      const chars = [...piece];
      let start = 0;
      let end = piece.length;
      for (const c of chars) {
        if (LETTER.test(c)) break;
        start += c.length;
      }
      for (const c of chars.reverse()) {
        if (LETTER.test(c) || end <= start) break;
        end -= c.length;
      }
      if (end > start) spans.push([word.start + start, word.start + end]);
    }
    spans.sort((a, b) => a[0] - b[0]);
    const merged = [];
    for (const span of spans) {
      const last = merged[merged.length - 1];
      if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
      else merged.push([...span]);
    }
    return merged;
  }

  markedText(parent, text, begin, spans) {
    let at = begin;
    for (let [start, end] of spans) {
      if (end <= at) continue;
      start = Math.max(start, at);
      lines(parent, text.slice(at, start));
      const mark = document.createElement("mark");
      lines(mark, text.slice(start, end));
      parent.append(mark);
      at = end;
    }
    lines(parent, text.slice(at));
  }
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Text with its line breaks, as the server's cards show it.
function lines(parent, text) {
  text.split("\n").forEach((line, i) => {
    if (i) parent.append(document.createElement("br"));
    if (line) parent.append(line);
  });
}

function quoted(text) {
  return element("q", "", text);
}

function day(iso) {
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) return iso;
  return moment.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
}

const results = document.querySelector(".static-results");
if (results) start(results);
