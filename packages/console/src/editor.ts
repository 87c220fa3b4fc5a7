// The code editor (CodeMirror 6, loaded only on a function's Code tab): line
// numbers, history, bracket matching and highlighting for JavaScript and Python,
// the default keymap (Tab is left to move focus, as accessibility asks; Ctrl-]
// indents).
import { defaultKeymap, history, historyKeymap, indentLess, indentMore } from "@codemirror/commands";
import { javascript } from "@codemirror/lang-javascript";
import { python } from "@codemirror/lang-python";
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { EditorState, type Extension } from "@codemirror/state";
import { EditorView, highlightActiveLine, keymap, lineNumbers } from "@codemirror/view";

export interface CodeEditor {
  setDoc(path: string, text: string): void;
  destroy(): void;
}

function languageFor(path: string): Extension {
  if (/\.(m|c)?[jt]s$/.test(path)) return javascript();
  if (path.endsWith(".py")) return python();
  return [];
}

export function createEditor(parent: HTMLElement, label: string, onChange: (text: string) => void): CodeEditor {
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
    EditorView.contentAttributes.of({ "aria-label": `${label}: ${path}` }),
    EditorView.updateListener.of((u) => {
      if (u.docChanged) onChange(u.state.doc.toString());
    }),
    languageFor(path),
  ];
  const view = new EditorView({ parent, state: EditorState.create({ doc: "", extensions: base("") }) });
  return {
    setDoc(path, text) {
      view.setState(EditorState.create({ doc: text, extensions: base(path) }));
    },
    destroy: () => view.destroy(),
  };
}
