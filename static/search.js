// The search page's only script (every other page has none): Pagefind's UI in #search.
// Where the bundle lives comes from the page, so the same file works under any base path.
window.addEventListener("DOMContentLoaded", function () {
  var search = document.getElementById("search");
  if (!search || typeof PagefindUI === "undefined") {
    return; // no index here (the dev server before a build, say): the fallback text stays
  }
  new PagefindUI({
    element: "#search",
    bundlePath: search.dataset.bundle,
    baseUrl: search.dataset.base,
    showSubResults: true,
    showImages: false,
    autofocus: true,
  });
  // The box is named by the page's visible heading; Pagefind gives it only a title (a
  // tooltip), which axe's label-title-only best practice flags.
  var input = search.querySelector(".pagefind-ui__search-input");
  if (input) {
    input.setAttribute("aria-labelledby", "search-title");
  }
  // The note keeps its space (see .search-area): the search box takes its place without
  // moving anything below it, so the page does not shift as it loads.
  document.getElementById("search-fallback").classList.add("search-fallback-replaced");
});
