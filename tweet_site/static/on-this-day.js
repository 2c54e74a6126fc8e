// A static copy's "On this day" page was rendered on the day of the export: open today
// instead, when the archive has tweets on it (the page lists those days).
(() => {
  const list = document.querySelector(".reader-today[data-days]");
  if (!list) return;
  // Today where the archive's owner lives (the days are theirs), else the reader's today.
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  let today = `${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  if (list.dataset.zone) {
    try {
      const parts = new Intl.DateTimeFormat("en-US", {
        timeZone: list.dataset.zone,
        month: "2-digit",
        day: "2-digit",
      }).formatToParts(now);
      const part = (type) => parts.find((p) => p.type === type).value;
      today = `${part("month")}-${part("day")}`;
    } catch (error) {
      // A browser without the zone keeps the reader's own date.
    }
  }
  const days = list.dataset.days.split(" ");
  if (days.includes(today)) {
    location.replace(`date-${today}/`);
    return;
  }
  list.textContent = "Nothing was posted on today's date in any year of the archive.";
  list.hidden = false;
})();
