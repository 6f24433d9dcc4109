// The two-list filter widget (filter_horizontal: a course's prerequisites, a group's permissions) labels its filter
// boxes by a magnifier icon that Django's SelectFilter2.js builds as a <span> with an aria-label. A plain span may
// not carry one (axe: aria-prohibited-attr), so screen readers skip it and the filter box has no name. As an image
// the icon keeps its sentence, which then names the filter box through its <label>.
// Deferred, so this runs after SelectFilter2.js has set up its widgets on the same load event.
"use strict";
window.addEventListener("load", () => {
    for (const icon of document.querySelectorAll(".search-label-icon[aria-label]")) {
        icon.setAttribute("role", "img");
    }
});
