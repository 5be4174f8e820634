// Progress for long AEF exports: download with fetch, show bytes received against Content-Length.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("a[data-progress]").forEach((link) => {
    link.addEventListener("click", async (event) => {
      if (!window.ReadableStream) return; // old browsers: ordinary download
      event.preventDefault();
      const bar = document.getElementById(link.dataset.progress);
      const label = document.getElementById(link.dataset.progress + "-label");
      bar.classList.remove("hidden");
      bar.removeAttribute("value");
      label.textContent = "Preparing the export…";
      const response = await fetch(link.href, { credentials: "same-origin" });
      if (!response.ok) { label.textContent = "The export failed (" + response.status + ")."; return; }
      const total = Number(response.headers.get("Content-Length")) || 0;
      const reader = response.body.getReader();
      const chunks = [];
      let received = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        received += value.length;
        if (total) { bar.max = total; bar.value = received; }
        label.textContent = Math.round(received / 1024) + " KiB" + (total ? " of " + Math.round(total / 1024) + " KiB" : "");
      }
      const match = /filename="?([^";]+)"?/.exec(response.headers.get("Content-Disposition") || "");
      const url = URL.createObjectURL(new Blob(chunks, { type: response.headers.get("Content-Type") || "" }));
      const save = document.createElement("a");
      save.href = url;
      save.download = match ? match[1] : "aef";
      document.body.appendChild(save);
      save.click();
      save.remove();
      URL.revokeObjectURL(url);
      label.textContent = "Downloaded.";
    });
  });
});
