// A product photo form: a file picked or dropped on the zone is previewed before it is
// uploaded. Without JavaScript the file picker works alone; the server checks the file.
"use strict";
document.querySelectorAll("form.photo-upload").forEach((form) => {
  const zone = form.querySelector(".drop-zone");
  const input = form.querySelector("input[type=file]");
  const preview = form.querySelector("img.preview");
  const show = () => {
    const file = input.files && input.files[0];
    if (!file) {
      preview.hidden = true;
      return;
    }
    const reader = new FileReader();
    reader.addEventListener("load", () => {
      preview.src = reader.result;
      preview.hidden = false;
    });
    reader.readAsDataURL(file);
  };
  input.addEventListener("change", show);
  ["dragenter", "dragover"].forEach((name) =>
    zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("dragging");
    }),
  );
  ["dragleave", "drop"].forEach((name) =>
    zone.addEventListener(name, () => zone.classList.remove("dragging")),
  );
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      show();
    }
  });
});
