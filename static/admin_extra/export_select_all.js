// The export page's "Select all" checkbox, without an inline handler (the CSP forbids those):
// ticks or clears every field checkbox of the export form.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".select-toggle").forEach((toggle) => {
    toggle.addEventListener("change", () => {
      document.querySelectorAll('.selectable-field-export-row input[type="checkbox"]').forEach((checkbox) => {
        checkbox.checked = toggle.checked;
      });
    });
  });
});
