"""The `nianbao` command line: one sub-command per module in generator/commands."""

from __future__ import annotations

import argparse
import importlib
import os
import re
import signal
import sys
from types import ModuleType
from typing import NoReturn

from .findings import display_width, format_text
from .format import FormatError
from .resources import InstallationError

COMMANDS = ["check", "build", "init", "import_", "review", "status", "submit", "return_", "approve", "publish", "backup", "serve", "schema", "doctor", "explain"]


# argparse writes its own words in English (through gettext). The parsers here put them in
# Chinese themselves, leaving argparse as it is for any other program in the same process.
USAGE_PREFIX = "用法："
HELP_OPTION = "显示帮助并退出"
GROUP_TITLES = {"positional arguments": "参数", "options": "选项"}
MESSAGES = {  # argparse's messages for usage mistakes (its %-templates; a bare %s is the value), in Chinese
    "argument %(argument_name)s: %(message)s": "参数 {argument_name}：{message}",
    "the following arguments are required: %s": "缺少必需的参数：{value}",
    "unrecognized arguments: %s": "无法识别的参数：{value}",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 {value}（可选：{choices}）",
    "invalid %(type)s value: %(value)r": "无效的值 {value}",
    "expected one argument": "这个选项需要一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 {option} 不明确，可能是 {matches}",
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sr]|%s")


def message_pattern(template: str) -> re.Pattern:
    """A regular expression matching what argparse writes from `template`, each value a named group."""
    pieces, last = [], 0
    for match in PLACEHOLDER.finditer(template):
        pieces += [re.escape(template[last : match.start()]), f"(?P<{match.group(1) or 'value'}>.*?)"]
        last = match.end()
    return re.compile("".join([*pieces, re.escape(template[last:])]), re.S)


MESSAGE_PATTERNS = [(message_pattern(english), chinese) for english, chinese in MESSAGES.items()]


def chinese(message: str) -> str:
    """An argparse message in Chinese (a message nested in another too); one it does not know stays as it is."""
    for pattern, template in MESSAGE_PATTERNS:
        if found := pattern.fullmatch(message):
            return template.format_map({name: chinese(value) for name, value in found.groupdict().items()})
    return message


WORD = re.compile(r"[\x21-\x7e]+|\s+|.")  # a run of ASCII (kept whole), a space, or one character


class WidthAwareHelpFormatter(argparse.HelpFormatter):
    """argparse's help with columns aligned by display width: a Chinese character takes two columns."""

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if action.help is not argparse.SUPPRESS:
            invocations = [action, *self._iter_indented_subactions(action)]
            widest = max(display_width(self._format_action_invocation(a)) for a in invocations)
            self._action_max_length = max(self._action_max_length, widest + self._current_indent)

    def _format_action(self, action: argparse.Action) -> str:
        text = super()._format_action(action)
        header = " " * self._current_indent + self._format_action_invocation(action)
        extra = display_width(header) - len(header)
        if extra <= 0 or not action.help or not text.startswith(header + "  "):
            return text
        help_position = min(self._action_max_length + 2, self._max_help_position)
        rest = text[len(header) :]
        padding = len(rest) - len(rest.lstrip(" "))
        if padding - extra >= 2:
            return header + rest[extra:]
        return header + "\n" + " " * help_position + rest.lstrip(" ")

    def add_usage(self, usage, actions, groups, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, USAGE_PREFIX if prefix is None else prefix)

    def _split_lines(self, text: str, width: int) -> list[str]:
        lines, line = [], ""
        for word in WORD.findall(" ".join(text.split())):
            if line and display_width(line + word) > width:
                lines.append(line.rstrip())
                line = word.lstrip()
            else:
                line += word
        return [*lines, line] if line else lines


class Parser(argparse.ArgumentParser):
    """An argument parser that writes its help and its usage mistakes in Chinese."""

    def __init__(self, *args, add_help: bool = True, **kwargs):
        kwargs.setdefault("formatter_class", WidthAwareHelpFormatter)
        super().__init__(*args, add_help=False, **kwargs)
        for group in self._action_groups:
            group.title = GROUP_TITLES.get(group.title, group.title)
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=HELP_OPTION)

    def error(self, message: str) -> NoReturn:
        """The usage, then the mistake; exit code 2, as argparse's own."""
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：用法错误：{chinese(message)}\n")


class PrintVersion(argparse.Action):
    """`--version`: the version in the installed package's metadata (pyproject.toml sets it),
    looked up only when asked for."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs) -> None:
        super().__init__(option_strings, dest, nargs=0, help="显示版本并退出")

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            print(f"nianbao {version('nianbao')}")
        except PackageNotFoundError:
            print("nianbao（未安装，版本未知：请用 pip install . 安装）")
        parser.exit()


def command_modules(argv: list[str]) -> list[ModuleType]:
    """The command named first on the line, or every command (for help and mistakes): a command
    imports only what it uses, so `check` does not pay for the renderers or the importer."""
    named = [name for name in COMMANDS if argv[:1] == [name.rstrip("_")]]
    return [importlib.import_module(f".commands.{name}", __package__) for name in named or COMMANDS]


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    parser = Parser(prog="nianbao", description="政府信息公开工作年度报告：填写表单、校验、生成 PDF/DOCX/HTML")
    parser.add_argument("--version", action=PrintVersion)
    commands = parser.add_subparsers(dest="command", metavar="命令", parser_class=Parser)
    for module in command_modules([] if argv is None else argv):
        module.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    for name in ("SIGTERM", "SIGHUP"):  # a terminated run removes its temporary files on the way out
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except FormatError as exc:  # a format data file the command needs is broken
        for finding in exc.findings:
            print(format_text(finding, exc.source_lines), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("已中断。\n")
        return 130
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except InstallationError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    except OSError as exc:  # an output folder that cannot be written, a full disk…
        from .limits import os_message

        sys.stderr.write(os_message(exc) + "\n")
        return 2


def stop(_signal: int, _frame) -> None:
    raise SystemExit(143)
