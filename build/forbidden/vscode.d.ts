// Stands in for `vscode` in the projects of layers that may not use the editor API (tsconfig.shared, engine, webview):
// an import of 'vscode' there resolves here and fails the type-check with "is not a module". Deliberately no exports.
