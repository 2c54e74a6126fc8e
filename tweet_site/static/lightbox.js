// The media grid's lightbox (templates/reader_media.html): a tile opens its photo, video or
// GIF large over the page; Previous/Next (or ← →) walk the grid, Close (or Esc) returns to the
// tile. Without JavaScript, or with a modifier key, a tile is a plain link to its tweet.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  ready(function () {
    var dialog = document.querySelector("dialog.lightbox");
    var tiles = Array.prototype.slice.call(document.querySelectorAll("a.media-open[data-src]"));
    if (!dialog || !tiles.length || typeof dialog.showModal !== "function") {
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
    var current = -1;

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
      when.textContent = tile.getAttribute("data-when") || "";
      tweet.setAttribute("href", tile.getAttribute("href"));
      count.textContent = current + 1 + " of " + tiles.length;
      prev.hidden = next.hidden = tiles.length < 2;
    }

    function open(index) {
      show(index);
      dialog.showModal();
      close.focus();
    }

    tiles.forEach(function (tile, index) {
      tile.addEventListener("click", function (event) {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
          return; // a new tab or window: the tweet, as the link says
        }
        event.preventDefault();
        open(index);
      });
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
