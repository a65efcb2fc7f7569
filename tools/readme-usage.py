#!/usr/bin/env python3
"""Keep the README's usage section equal to `kbuild --help`.

usage: tools/readme-usage.py --kbuild build/kbuild [--check] [README.md]

The README holds the output of `kbuild --help` between the lines
`<!-- BEGIN kbuild --help -->` and `<!-- END kbuild --help -->`, as a
code block.  Without --check the block is rewritten from the binary;
with --check (what the test suite runs) a difference is printed and the
exit status is 1, so a new command or flag cannot leave the README behind.
"""
import argparse
import difflib
import os
import subprocess
import sys

BEGIN = '<!-- BEGIN kbuild --help -->'
END = '<!-- END kbuild --help -->'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--kbuild', required=True)
    ap.add_argument('--check', action='store_true')
    ap.add_argument('readme', nargs='?',
                    default=os.path.join(os.path.dirname(__file__), '..', 'README.md'))
    a = ap.parse_args()
    helptext = subprocess.run([a.kbuild, '--help'], check=True, capture_output=True,
                              text=True).stdout
    block = '```\n$ kbuild --help\n' + helptext + '```\n'
    with open(a.readme) as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        print('%s: no %s ... %s section' % (a.readme, BEGIN, END))
        return 1
    head, rest = text.split(BEGIN, 1)
    old, tail = rest.split(END, 1)
    new = head + BEGIN + '\n' + block + END + tail
    if new == text:
        if a.check:
            print('1 passed, 0 failed')
        return 0
    if a.check:
        sys.stdout.writelines(difflib.unified_diff(
            text.splitlines(True), new.splitlines(True), 'README.md', 'kbuild --help'))
        print('README.md usage differs from `kbuild --help`; run tools/readme-usage.py '
              '--kbuild build/kbuild')
        print('0 passed, 1 failed')
        return 1
    with open(a.readme, 'w') as f:
        f.write(new)
    return 0


if __name__ == '__main__':
    sys.exit(main())
