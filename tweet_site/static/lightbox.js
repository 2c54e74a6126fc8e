// The lightbox: a photo, video or GIF large over the page. On /media (templates/reader_media.html)
// a tile opens it and Previous/Next (or ← →) walk the grid; in a tweet card (a photo of
// hooks/render_tweets.py's media_html) a photo opens it and Previous/Next walk that tweet's
// photos. Close (or Esc) returns the focus to what opened it. Without JavaScript, or with a
// modifier key, a tile or photo is a plain link: to its tweet on /media, to the file in a card.
// The page names this script once or twice (reader_media.html and the site's extra_js_urls):
// it runs once.
(function () {
  "use strict";
  if (window.tweetSiteLightbox) {
    return;
  }
  window.tweetSiteLightbox = true;

  var TILES = "a.media-open[data-src]";

  function ready(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function button(className, label, before, text, after) {
    var node = element("button", className);
    node.type = "button";
    node.setAttribute("aria-label", label);
    node.append(before, element("span", "lightbox-label", text), after);
    return node;
  }

  // The dialog of reader_media.html, made for pages that don't have one (every card page).
  function makeDialog() {
    var dialog = element("dialog", "lightbox");
    dialog.setAttribute("aria-label", "Media viewer");
    var caption = element("p", "lightbox-caption");
    var alt = element("span", "lightbox-alt");
    alt.dir = "auto";
    var tweet = element("a", "lightbox-tweet", "Open the tweet");
    tweet.href = "#";
    caption.append(alt, " ", element("span", "lightbox-when"), " ", tweet);
    var controls = element("div", "lightbox-controls");
    var count = element("span", "lightbox-count");
    count.setAttribute("aria-live", "polite");
    controls.append(
      button("lightbox-prev", "Previous", "←", " Previous", ""),
      count,
      button("lightbox-next", "Next", "", "Next ", "→"),
      button("lightbox-close", "Close", "✕", " Close", "")
    );
    dialog.append(element("div", "lightbox-stage"), caption, controls);
    document.body.appendChild(dialog);
    return dialog;
  }

  ready(function () {
    var dialog = document.querySelector("dialog.lightbox");
    if (!document.querySelector(TILES)) {
      return;
    }
    if (!dialog) {
      dialog = makeDialog();
    }
    if (typeof dialog.showModal !== "function") {
      return;
    }
    var stage = dialog.querySelector(".lightbox-stage");
    var alt = dialog.querySelector(".lightbox-alt");
    var when = dialog.querySelector(".lightbox-when");
    var tweet = dialog.querySelector(".lightbox-tweet");
    var count = dialog.querySelector(".lightbox-count");
    var prev = dialog.querySelector(".lightbox-prev");
    var next = dialog.querySelector(".lightbox-next");
    var close = dialog.querySelector(".lightbox-close");
    var tiles = [];
    var current = -1;

    // What a tile walks through: its tweet's photos in a card, the grid's tiles elsewhere.
    function group(tile) {
      var media = tile.closest(".tweet-media");
      var all = Array.prototype.slice.call(document.querySelectorAll(TILES));
      return all.filter(function (other) {
        return media ? media.contains(other) : !other.closest(".tweet-media");
      });
    }

    // A card's photo names its tweet and date through the card around it.
    function cardOf(tile) {
      return tile.closest(".tweet-media") ? tile.closest(".quoted-card, article.tweet") : null;
    }

    function show(index) {
      current = (index + tiles.length) % tiles.length;
      var tile = tiles[current];
      var kind = tile.getAttribute("data-kind");
      var media;
      if (kind === "photo") {
        media = document.createElement("img");
        media.alt = tile.getAttribute("data-alt") || "";
      } else {
        media = document.createElement("video");
        media.controls = true;
        media.playsInline = true;
        media.setAttribute("aria-label", tile.getAttribute("data-alt") || "");
        if (kind === "animated_gif") {
          media.autoplay = true;
          media.loop = true;
          media.muted = true;
        }
      }
      media.className = "lightbox-media";
      media.src = tile.getAttribute("data-src");
      stage.replaceChildren(media);
      alt.textContent = tile.getAttribute("data-alt") || "";
      var card = cardOf(tile);
      var time = card ? card.querySelector(".tweet-head time") : null;
      var link = card ? card.querySelector(".tweet-head a.tweet-time") : null;
      when.textContent = card ? (time ? time.textContent : "") : tile.getAttribute("data-when") || "";
      var href = card ? (link ? link.getAttribute("href") : null) : tile.getAttribute("href");
      tweet.hidden = !href;
      if (href) {
        tweet.setAttribute("href", href);
      }
      count.textContent = tiles.length > 1 ? current + 1 + " of " + tiles.length : "";
      prev.hidden = next.hidden = tiles.length < 2;
    }

    document.addEventListener("click", function (event) {
      var tile = event.target instanceof Element ? event.target.closest(TILES) : null;
      if (!tile || event.defaultPrevented) {
        return;
      }
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
        return; // a new tab or window: what the link says
      }
      event.preventDefault();
      tiles = group(tile);
      show(tiles.indexOf(tile));
      dialog.showModal();
      close.focus();
    });
    prev.addEventListener("click", function () {
      show(current - 1);
    });
    next.addEventListener("click", function () {
      show(current + 1);
    });
    close.addEventListener("click", function () {
      dialog.close();
    });
    // A click on the backdrop (outside the dialog's box) closes it too.
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) {
        var box = dialog.getBoundingClientRect();
        var inside =
          event.clientX >= box.left && event.clientX <= box.right &&
          event.clientY >= box.top && event.clientY <= box.bottom;
        if (!inside) {
          dialog.close();
        }
      }
    });
    dialog.addEventListener("keydown", function (event) {
      if (event.target.tagName === "VIDEO") {
        return; // the player's own keys: ← → seek
      }
      if (event.key === "ArrowLeft" && tiles.length > 1) {
        event.preventDefault();
        show(current - 1);
      } else if (event.key === "ArrowRight" && tiles.length > 1) {
        event.preventDefault();
        show(current + 1);
      }
    });
    // Esc closes a modal dialog by itself; either way, the focus returns to the tile shown.
    // (After the browser's own return of the focus to the tile that opened it.)
    dialog.addEventListener("close", function () {
      stage.replaceChildren();
      var shown = tiles[current];
      window.setTimeout(function () {
        if (shown) {
          shown.focus();
        }
      }, 0);
    });
  });
})();
