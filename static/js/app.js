// Progressive enhancement only: the site works without this file.
// After htmx swaps in a new question, move focus to it so keyboard and screen-reader users
// land on the question rather than at the top of the page; when the card came back with an
// error (no answer chosen), move focus to the message instead.
document.addEventListener("htmx:afterSwap", function (event) {
  var target = document.getElementById("option-errors") || document.getElementById("question-heading");
  if (target) {
    target.focus();
  }
});
// When a full page is a question page (arrived by link or without htmx), a focus on the
// heading is not forced: the person starts at the top as on any page.

// A form sent without what it needs (a question without a choice, feedback without consent, a
// limit that is not a number) comes back as 400 with its part of the page and the message, and htmx
// swaps it in (responseHandling in base.html's htmx-config). Under DEBUG, django-htmx's debug script
// (listening on document) replaces the whole page with any 400 response, meant for Django's error
// pages, which are whole documents: keep our own parts of a page from reaching it. Listening on the
// body, which the event passes before the document.
document.body.addEventListener("htmx:beforeOnLoad", function (event) {
  var xhr = event.detail.xhr;
  if (xhr && xhr.status === 400 && !/^\s*(<!doctype|<html)/i.test(xhr.responseText || "")) {
    event.stopPropagation();
  }
});
