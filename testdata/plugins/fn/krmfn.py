#!/usr/bin/env python3
"""A KRM function for kbuild's tests whose behaviour its functionConfig
chooses: spec.op is one of

  echo       the items back unchanged
  annotate   every item gets annotation spec.key: spec.value
  rename     the item named spec.from is renamed spec.to
  drop       the item named spec.name is left out
  strip      every item loses all its annotations
  empty      no items
  generate   the objects of spec.resources (after the items when spec.echo)
  results    the items, with spec.results as the ResourceList's results
  plain      the items as a plain stream of documents, not a ResourceList
  list       the items in a `kind: List`
  dup        every item twice
  dump       the items, and a ConfigMap input-dump holding the whole
             ResourceList it read as sorted JSON (what it was given, without
             the text's key order and quoting; function specs read "..." so
             that an exec function and its container twin dump the same)
  badyaml    text that is not YAML
  separator  two documents split by a `---x` line kyaml refuses
  hang       never answers

and with any op, spec.stderr is written to stderr and spec.exit is the
exit status (default 0).
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import krm  # noqa: E402

text = sys.stdin.read()
rl = krm.parse(text) or {}
items, cfg = rl.get('items') or [], rl.get('functionConfig') or {}
spec = cfg.get('spec') or {}
op = spec.get('op', 'echo')
out = items
results = None
if op == 'annotate':
    for it in items:
        krm.annotations(it)[spec['key']] = spec['value']
elif op == 'rename':
    for it in items:
        if it.get('metadata', {}).get('name') == spec['from']:
            it['metadata']['name'] = spec['to']
elif op == 'drop':
    out = [it for it in items if it.get('metadata', {}).get('name') != spec['name']]
elif op == 'strip':
    for it in items:
        it.get('metadata', {}).pop('annotations', None)
elif op == 'empty':
    out = []
elif op == 'generate':
    out = (items if spec.get('echo') else []) + (spec.get('resources') or [])
elif op == 'results':
    results = spec.get('results') or []
elif op == 'dup':
    out = items + items
elif op == 'dump':
    def elide(o):
        if isinstance(o, dict):
            return {k: ('...' if k == 'config.kubernetes.io/function' else elide(v))
                    for k, v in o.items()}
        if isinstance(o, list):
            return [elide(v) for v in o]
        return o
    rl = elide(rl)
    out = items + [{'apiVersion': 'v1', 'kind': 'ConfigMap',
                    'metadata': {'name': 'input-dump'},
                    'data': {'input': json.dumps(rl, sort_keys=True, indent=1)}}]
if spec.get('stderr'):
    sys.stderr.write(spec['stderr'])
if op == 'hang':
    sys.stdout.flush()
    time.sleep(3600)
elif op == 'plain':
    sys.stdout.write('\n---\n'.join(json.dumps(it) for it in out) + '\n')
elif op == 'list':
    json.dump({'apiVersion': 'v1', 'kind': 'List', 'items': out}, sys.stdout)
elif op == 'badyaml':
    sys.stdout.write('items:\n- a: [unclosed\n  b: }\n')
elif op == 'separator':
    sys.stdout.write('a: 1\n---x\nb: 2\n')
else:
    krm.write(out, results)
sys.exit(int(spec.get('exit', 0)))
