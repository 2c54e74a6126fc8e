// The tweet page's permalink (templates/row-archive-tweets.html: a.copy-link) becomes a
// "Copy link" button that puts the page's absolute address on the clipboard and says so in
// the status beside it. The address is the link's, resolved against the page's location, so
// it is right at a domain's root and under a static host's prefix alike. Without the
// Clipboard API (old browsers, pages served over plain http) the link stays a link.
(function () {
  "use strict";

  if (!(navigator.clipboard && typeof navigator.clipboard.writeText === "function")) {
    return;
  }

  function enhance(link) {
    var status = link.parentNode.querySelector(".copy-link-status");
    // A static export's page is its folder's index.html: the folder is the address to share.
    var address = link.href.replace(/\/index\.html$/, "/");
    var button = document.createElement("button");
    var timer = null;
    button.type = "button";
    button.className = "copy-link";
    button.textContent = "Copy link";
    button.title = address;

    function say(text) {
      if (!status) {
        return;
      }
      // Emptied first, so that a second copy is announced again.
      status.textContent = "";
      window.clearTimeout(timer);
      window.setTimeout(function () {
        status.textContent = text;
      }, 50);
      timer = window.setTimeout(function () {
        status.textContent = "";
      }, 4000);
    }

    button.addEventListener("click", function () {
      navigator.clipboard.writeText(address).then(
        function () {
          say("Copied");
        },
        function () {
          say("Couldn't copy: the link is " + address);
        }
      );
    });
    link.replaceWith(button);
  }

  var links = document.querySelectorAll("a.copy-link");
  for (var i = 0; i < links.length; i++) {
    enhance(links[i]);
  }
})();
