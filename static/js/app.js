// Progressive enhancement only: the site works without this file.
// After htmx swaps in a new question, move focus to it so keyboard and screen-reader users
// land on the question rather than at the top of the page.
document.addEventListener("htmx:afterSwap", function (event) {
  var heading = document.getElementById("question-heading");
  if (heading) {
    heading.focus();
  }
});
// When a full page is a question page (arrived by link or without htmx), a focus on the
// heading is not forced: the person starts at the top as on any page.
