// Progressive enhancement only: the site works without this file.
// After htmx swaps in a part of a page (a question, the learning path, the feedback form), the button that was
// pressed is gone with the old part and focus would fall back to the top of the page: move it into the new part,
// so that keyboard and screen-reader users land there. The part names in data-focus-after-swap the ids of what
// to focus, the first one it holds wins: a message saying what went wrong before the heading, or the course a
// person just marked done. Parts without the attribute (the review folded in, the summary swapped out of band)
// leave focus where it is.
document.addEventListener("htmx:afterSwap", function (event) {
  var part = event.target;
  var ids = part.getAttribute && part.getAttribute("data-focus-after-swap");
  if (!ids) {
    return;
  }
  var names = ids.split(/\s+/);
  for (var i = 0; i < names.length; i++) {
    var target = document.getElementById(names[i]);
    if (target && part.contains(target)) {
      target.focus();
      return;
    }
  }
});
// When a full page is a question page (arrived by link or without htmx), a focus on the
// heading is not forced: the person starts at the top as on any page.

// A form sent without what it needs (a question without a choice, feedback without consent, a
// limit that is not a number) comes back as 400 with its part of the page and the message, and htmx
// swaps it in (responseHandling in base.html's htmx-config); so do the other refusals that answer
// with a part of a page (an expired form token 403, a question no longer asked 409, a removed one
// 410, too many requests 429). Under DEBUG, django-htmx's debug script (listening on document)
// replaces the whole page with any 4xx response, meant for Django's error pages, which are whole
// documents: keep our own parts of a page from reaching it (a review saw an expired token leave one
// sentence of the question page). Listening on the body, which the event passes before the document.
document.body.addEventListener("htmx:beforeOnLoad", function (event) {
  var xhr = event.detail.xhr;
  var refused = xhr && xhr.status >= 400 && xhr.status < 500;
  if (refused && !/^\s*(<!doctype|<html)/i.test(xhr.responseText || "")) {
    event.stopPropagation();
  }
});

// A form refused for its security token puts its message before the part that sent it (core.views.csrf_failure:
// the element "<part id>-expired"). The part's next swap, the answer taken or a second refusal, makes it stale:
// it stood on above the next question, or a second one stacked below it. Remove it before that swap (not for a
// response htmx does not swap: the part and its message stay as they were).
document.addEventListener("htmx:beforeSwap", function (event) {
  var target = event.detail.shouldSwap && event.detail.target;
  var stale = target && target.id && document.getElementById(target.id + "-expired");
  if (stale) {
    stale.remove();
  }
});
