// Webview entry (placeholder until the panel lands).
export {};
