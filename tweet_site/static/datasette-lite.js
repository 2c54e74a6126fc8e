// The "Explore with SQL" link of a static export published without --site-url
// (templates/_database_links.html): Datasette Lite fetches the database from its absolute
// address, which only the page knows, from its own download link resolved against wherever
// the folder is served (a domain's root or a prefix like /REPO/).
for (const offer of document.querySelectorAll(".database-links")) {
  const download = offer.querySelector("a.database-download");
  const lite = offer.querySelector("a.datasette-lite");
  const hidden = offer.querySelector(".datasette-lite-offer[hidden]");
  if (!download || !lite || !hidden) continue;
  const db = new URL(download.getAttribute("href"), document.baseURI);
  // A page opened from disk has no address Datasette Lite could fetch.
  if (db.protocol !== "https:" && db.protocol !== "http:") continue;
  lite.href = "https://lite.datasette.io/?url=" + encodeURIComponent(db.href);
  hidden.hidden = false;
}
