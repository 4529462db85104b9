// The brief's Print button (no inline script: the pages' Content-Security-Policy forbids it).
document.getElementById("print-brief")?.addEventListener("click", () => window.print());
