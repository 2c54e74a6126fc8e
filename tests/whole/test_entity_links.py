"""A card links exactly what the database counts: over every tweet of the five shared
archives, the links render_text makes from the stored entity rows are those rows (same
number, same places in the text, same targets), and every row's offsets slice the stored
text to the entity as written ("@name" as the users table spells the account, in any case)."""

import sqlite3
import urllib.parse
from collections import defaultdict
from html.parser import HTMLParser

import pytest

from tests.helpers.build import build_shared_archive
from tweet_site.text import BIDI_CONTROLS, render_text

pytestmark = pytest.mark.integration

# Rows whose entity the stored text doesn't hold (offsets NULL), by archive and table: the
# Grailbird export's retweets, whose text is rebuilt from the original while the retweet's
# own lists name accounts (renamed, or only in the retweet's cut text), cut tags ("#bildun…")
# and the retweeted photos' links; and a long post's text, which drops the link to the tweet
# it quotes.
NOT_IN_TEXT = {
    "ezyang-tweets": {},
    "paulhibbitts__sample-twitter-archive": {},
    "dsajgiouawj__TweetArchive": {},
    "alrocar__x": {"urls": 1},
    "NiciDieNase__twitterarchiv": {"mentions": 18, "hashtags": 5, "urls": 23},
}

ROWS = {
    "mentions": "select e.tweet_id, e.start, e.end, 'mention', u.screen_name "
    "from mentions e join users u on u.id = e.user_id",
    "hashtags": "select tweet_id, start, end, 'hashtag', tag from hashtags",
    "urls": "select tweet_id, start, end, 'url', url from urls",
}


class Card(HTMLParser):
    """The text outside links (line breaks as "\\n") and each link's href, in order."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.outside, self.hrefs, self.in_link = [""], [], False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs)["href"])
            self.outside.append("")
            self.in_link = True
        elif tag == "br":
            self.handle_data("\n")

    def handle_endtag(self, tag):
        if tag == "a":
            self.in_link = False

    def handle_data(self, data):
        if not self.in_link:
            self.outside[-1] += data


def target(kind, value):
    if kind == "mention":
        return "/-/user/" + urllib.parse.quote(value)
    if kind == "hashtag":
        return "/hashtag/" + urllib.parse.quote(value, safe="")
    return value if "://" in value else "http://" + value


def as_written(text, start, end, kind, value):
    written = text[start:end]
    if kind == "url":
        return written == value
    sign = "@＠" if kind == "mention" else "#＃"
    return written[0] in sign and written[1:].casefold() == value.casefold()


@pytest.mark.parametrize("name", sorted(NOT_IN_TEXT))
def test_a_card_links_exactly_what_the_database_counts(tmp_path, name):
    conn = sqlite3.connect(build_shared_archive(tmp_path, name))
    entities, unplaced = defaultdict(list), defaultdict(int)
    for table, sql in ROWS.items():
        for tweet_id, *row in conn.execute(sql):
            if row[0] is None:
                unplaced[table] += 1
            else:
                entities[tweet_id].append(tuple(row))
    assert dict(unplaced) == NOT_IN_TEXT[name]
    texts = dict(conn.execute("select id, text from tweets"))
    misplaced, wrong = [], []
    for tweet_id, text in texts.items():
        rows = sorted(entities[tweet_id])
        misplaced += [(tweet_id, row) for row in rows if not as_written(text, *row)]
        card = Card(str(render_text(text, rows)))
        pieces, last = [], 0
        for start, end, _, _ in rows:
            pieces.append(text[last:start])
            last = end
        pieces.append(text[last:])
        expected = (
            [p.replace("\r\n", "\n").translate(BIDI_CONTROLS) for p in pieces],
            [target(kind, value) for _, _, kind, value in rows],
        )
        if (card.outside, card.hrefs) != expected:
            wrong.append((tweet_id, text, rows))
    assert misplaced == []
    assert wrong == []
    assert sum(map(len, entities.values())) > 0
