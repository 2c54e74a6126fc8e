// Tweet cards (templates/_tweet.html): a click on a card's body opens its tweet, as its date
// link does (a quoted tweet's card opens the quoted tweet). Links, buttons, media and form
// fields inside keep their own clicks; a click that ends a text selection selects. Ctrl, ⌘ or
// Shift-click and the middle button open a new tab. Keyboard users have the date link.
// And the tweets cut to a few lines above an opened tweet get a "Show more" button.
(function () {
  "use strict";
  if (window.tweetSiteCards) {
    return;
  }
  window.tweetSiteCards = true;
  // The card rules that need this script (static/tweet.css): the pointer, the cut lines.
  document.documentElement.classList.add("cards-js");

  var OWN_CLICKS =
    "a, button, input, select, textarea, label, summary, video, audio, img, .tweet-media, " +
    "[role='button'], [contenteditable]";

  function timeLink(event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target || target.closest(OWN_CLICKS)) {
      return null;
    }
    var card = target.closest(".quoted-card.tweet-linked, article.tweet.tweet-linked");
    if (!card) {
      return null;
    }
    var head = Array.prototype.find.call(card.children, function (child) {
      return child.classList.contains("tweet-head");
    });
    return head ? head.querySelector("a.tweet-time[href]") : null;
  }

  function selecting() {
    var selection = window.getSelection ? window.getSelection() : null;
    return Boolean(selection && !selection.isCollapsed && selection.toString().trim());
  }

  document.addEventListener("click", function (event) {
    if (event.button !== 0 || event.defaultPrevented || event.altKey) {
      return;
    }
    var link = timeLink(event);
    if (!link || selecting()) {
      return;
    }
    if (event.ctrlKey || event.metaKey || event.shiftKey) {
      window.open(link.href, "_blank", "noopener");
    } else {
      window.location.assign(link.href);
    }
  });
  document.addEventListener("auxclick", function (event) {
    if (event.button !== 1 || event.defaultPrevented) {
      return;
    }
    var link = timeLink(event);
    if (link && !selecting()) {
      event.preventDefault();
      window.open(link.href, "_blank", "noopener");
    }
  });

  function ready(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  ready(function () {
    var texts = document.querySelectorAll("ol.thread-nearest .tweet-text");
    Array.prototype.forEach.call(texts, function (text, index) {
      if (text.scrollHeight <= text.clientHeight + 2) {
        return; // not cut
      }
      if (!text.id) {
        text.id = "cut-text-" + index;
      }
      var more = document.createElement("button");
      more.type = "button";
      more.className = "show-more";
      more.textContent = "Show more";
      more.setAttribute("aria-expanded", "false");
      more.setAttribute("aria-controls", text.id);
      text.insertAdjacentElement("afterend", more);
      more.addEventListener("click", function () {
        var open = text.classList.toggle("text-whole");
        more.textContent = open ? "Show less" : "Show more";
        more.setAttribute("aria-expanded", String(open));
      });
    });
  });
})();
