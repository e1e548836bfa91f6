// Starts `falcorc lsp` for Falco rules files: `*_rules.yaml` and YAML files under `rules/`.
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("falcorc");
  const command = config.get("path") || "falcorc";
  const rules = config.get("rules") || [];
  const serverOptions = {
    run: { command, args: ["lsp"], transport: TransportKind.stdio },
    debug: { command, args: ["lsp"], transport: TransportKind.stdio },
  };
  const clientOptions = {
    documentSelector: [
      { scheme: "file", language: "yaml", pattern: "**/*_rules.{yaml,yml}" },
      { scheme: "file", language: "yaml", pattern: "**/rules/**/*.{yaml,yml}" },
    ],
    initializationOptions: rules.length > 0 ? { rules } : undefined,
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher("**/{*.yaml,*.yml,falcorc.toml}"),
    },
  };
  client = new LanguageClient("falcorc", "falcorc", serverOptions, clientOptions);
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
