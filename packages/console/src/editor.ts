// The code editor (CodeMirror 6, loaded only on a function's Code tab): line
// numbers, history, bracket matching and highlighting for JavaScript and Python,
// the default keymap (Tab is left to move focus, as accessibility asks; Ctrl-]
// indents).
import { defaultKeymap, history, historyKeymap, indentLess, indentMore } from "@codemirror/commands";
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { Compartment, EditorState, type Extension } from "@codemirror/state";
import { EditorView, highlightActiveLine, keymap, lineNumbers } from "@codemirror/view";

export interface CodeEditor {
  setDoc(path: string, text: string): void;
  destroy(): void;
}

/** The page's CSP nonce: CodeMirror writes its styles into a <style> element that must carry it. */
function cspNonce(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content ?? "";
}

/** The file's language support, loaded only when a file of that language is opened. */
async function languageFor(path: string): Promise<Extension> {
  if (/\.(m|c)?[jt]s$/.test(path)) return (await import("@codemirror/lang-javascript")).javascript();
  if (path.endsWith(".py")) return (await import("@codemirror/lang-python")).python();
  return [];
}

export function createEditor(parent: HTMLElement, label: string, onChange: (text: string) => void): CodeEditor {
  const language = new Compartment();
  let opened = 0;
  const base = (path: string): Extension[] => [
    lineNumbers(),
    history(),
    indentOnInput(),
    bracketMatching(),
    highlightActiveLine(),
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    keymap.of([
      ...defaultKeymap,
      ...historyKeymap,
      { key: "Mod-]", run: indentMore },
      { key: "Mod-[", run: indentLess },
    ]),
    EditorView.cspNonce.of(cspNonce()),
    EditorView.contentAttributes.of({ "aria-label": `${label}: ${path}` }),
    EditorView.updateListener.of((u) => {
      if (u.docChanged) onChange(u.state.doc.toString());
    }),
    language.of([]),
  ];
  const view = new EditorView({ parent, state: EditorState.create({ doc: "", extensions: base("") }) });
  return {
    setDoc(path, text) {
      view.setState(EditorState.create({ doc: text, extensions: base(path) }));
      const mine = ++opened;
      languageFor(path).then((ext) => {
        if (mine === opened) view.dispatch({ effects: language.reconfigure(ext) });
      });
    },
    destroy: () => view.destroy(),
  };
}
