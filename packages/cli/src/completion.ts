// Shell completion, generated from the program's own commands and options so that
// it never drifts from them: a bash function, which zsh loads through bashcompinit.
import type { Command, Option } from "commander";

const words = (list: string[]) => list.join(" ");

/** The flags of the options shown in help (hidden ones are not offered). */
const flagsOf = (options: readonly Option[]) =>
  options.filter((o) => !o.hidden).flatMap((o) => [o.long, o.short].filter((f) => f !== undefined));

/** Options that take a value: the word after one is not a command. */
const takesValue = (o: Option) => o.required || o.optional;

/** The profiles of ~/.aws/config ([profile NAME], [default]) and ~/.aws/credentials ([NAME]). */
const PROFILES = `$( { sed -n -e 's/^\\[profile  *\\(.*\\)\\]$/\\1/p' -e 's/^\\[default\\]$/default/p' ~/.aws/config; sed -n 's/^\\[\\(.*\\)\\]$/\\1/p' ~/.aws/credentials; } 2>/dev/null)`;

/** What completes an option's value: its choices, profiles, @files for a payload, else nothing to guess. */
function valueReply(o: Option): string {
  if (o.argChoices) return `COMPREPLY=($(compgen -W "${words(o.argChoices)}" -- "$cur"))`;
  if (o.long === "--profile") return `COMPREPLY=($(compgen -W "${PROFILES}" -- "$cur"))`;
  if (o.long === "--payload") return `[[ "$cur" == @* ]] && COMPREPLY=($(compgen -f -P @ -- "\${cur#@}"))`;
  return "COMPREPLY=()";
}

export function bashCompletion(program: Command): string {
  const globals = program.options;
  const commands = program.commands.filter((c) => c.name() !== "help");
  const valued = [...new Set([...globals, ...commands.flatMap((c) => c.options)])].filter(takesValue);
  const valueCases = [...new Map(valued.filter((o) => o.long).map((o) => [o.long, o])).values()].map(
    (o) => `    ${o.long}) ${valueReply(o)}; return ;;`,
  );
  const commandCases = commands.map(
    (c) =>
      `    ${c.name()}) COMPREPLY=($(compgen -W "${words([...flagsOf(c.options), ...flagsOf(globals), "--help"])}" -- "$cur")) ;;`,
  );
  const skip = [...new Set(valued.flatMap((o) => [o.long, o.short].filter((f) => f !== undefined)))].join("|");
  return `# stratus completion (bash; zsh through bashcompinit)
_stratus() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      ${skip}) ((i++)) ;;
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$prev" in
${valueCases.join("\n")}
  esac
  if [[ -z "$cmd" ]]; then
    COMPREPLY=($(compgen -W "${words([...commands.map((c) => c.name()), "help", ...flagsOf(globals), "--help"])}" -- "$cur"))
    return
  fi
  case "$cmd" in
${commandCases.join("\n")}
  esac
  [[ "$cur" == -* ]] || COMPREPLY+=($(compgen -f -- "$cur"))
}
complete -F _stratus stratus
`;
}

export function zshCompletion(program: Command): string {
  return `#compdef stratus
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(program)}`;
}
