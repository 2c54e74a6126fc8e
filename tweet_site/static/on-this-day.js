// A static copy's "On this day" page was rendered on the day of the export: open the
// reader's today instead, when the archive has tweets on it (the page lists those days).
(() => {
  const list = document.querySelector(".reader-today[data-days]");
  if (!list) return;
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  const today = `${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  const days = list.dataset.days.split(" ");
  if (days.includes(today)) {
    location.replace(`date-${today}/`);
    return;
  }
  list.textContent = "Nothing was posted on today's date in any year of the archive.";
  list.hidden = false;
})();
