// The search page's Order and Show menus search again as soon as they change (a menu's new
// value otherwise waited for the Search button). Without a search typed there is nothing to
// run again, and the form then waits as before.
(() => {
  const form = document.querySelector("form.reader-search-form");
  if (!form) return;
  const words = form.querySelector("input[name=q]");
  for (const menu of form.querySelectorAll("select[name=sort], select[name=kind]")) {
    menu.addEventListener("change", () => {
      if (words && words.value.trim()) form.requestSubmit();
    });
  }
})();
