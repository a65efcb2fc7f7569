#!/usr/bin/env python3
"""Writes a GitOps-style monorepo for `kbuild diff` and `kbuild check`
benchmarks and tests: B shared bases (Deployment, Service, ConfigMap
generator), a monitoring Component, and N overlays spread over the bases
and a few environments, each with a namespace, a prefix, a patch, an
image override and a generator of its own.

usage: gen_repo.py DIR [N] [B]      (defaults: 300 overlays over 10 bases)

`--change KIND` edits an existing tree instead, as a commit would:
  base      the container port of bases/svc03 (shows in its N/B overlays)
  patch     the replica patch of the first overlay of svc01
  generator a literal of the first overlay of svc02's generator
  break     the first overlay of svc04 names a missing patch
  add       a new overlay over svc05
  remove    the first overlay of svc06
"""
import os
import shutil
import sys

ENVS = ('dev', 'staging', 'prod', 'qa', 'perf', 'canary')


def w(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)


def base(root, b):
    d = os.path.join(root, 'bases', b)
    w(os.path.join(d, 'deployment.yaml'), f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {b}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: {b}
  template:
    metadata:
      labels:
        app: {b}
    spec:
      containers:
      - name: main
        image: registry.example.com/{b}:1.0.0
        envFrom:
        - configMapRef:
            name: {b}-config
        ports:
        - containerPort: 8080
""")
    w(os.path.join(d, 'service.yaml'), f"""apiVersion: v1
kind: Service
metadata:
  name: {b}
spec:
  selector:
    app: {b}
  ports:
  - port: 80
    targetPort: 8080
""")
    w(os.path.join(d, 'kustomization.yaml'), f"""resources:
- deployment.yaml
- service.yaml
configMapGenerator:
- name: {b}-config
  literals:
  - LOG_LEVEL=info
  - APP={b}
""")


def overlay(root, b, name, i):
    d = os.path.join(root, 'overlays', b, name)
    comp = '\ncomponents:\n- ../../../components/monitoring\n' if i % 3 == 0 else ''
    w(os.path.join(d, 'kustomization.yaml'), f"""namespace: {name}
namePrefix: {name}-
resources:
- ../../../bases/{b}{comp}
patches:
- path: replicas.yaml
images:
- name: registry.example.com/{b}
  newTag: 1.{i}.0
configMapGenerator:
- name: {b}-config
  behavior: merge
  literals:
  - OVERLAY={name}
""")
    w(os.path.join(d, 'replicas.yaml'), f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {b}
spec:
  replicas: {1 + i % 4}
""")


def generate(root, n, nb):
    bases = ['svc%02d' % i for i in range(nb)]
    for b in bases:
        base(root, b)
    w(os.path.join(root, 'components', 'monitoring', 'kustomization.yaml'),
      """apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
commonAnnotations:
  prometheus.io/scrape: "true"
""")
    for i in range(n):
        b = bases[i % nb]
        name = '%s-%03d' % (ENVS[i % len(ENVS)], i)
        overlay(root, b, name, i)


def first_overlay(root, b):
    d = os.path.join(root, 'overlays', b)
    return os.path.join(d, sorted(os.listdir(d))[0])


def change(root, kind):
    if kind == 'base':
        p = os.path.join(root, 'bases', 'svc03', 'deployment.yaml')
        s = open(p).read().replace('containerPort: 8080', 'containerPort: 8081')
        w(p, s)
    elif kind == 'patch':
        p = os.path.join(first_overlay(root, 'svc01'), 'replicas.yaml')
        w(p, open(p).read().replace('replicas:', 'replicas: 9\n  minReadySeconds:'))
    elif kind == 'generator':
        p = os.path.join(first_overlay(root, 'svc02'), 'kustomization.yaml')
        w(p, open(p).read().replace('  - OVERLAY=', '  - EXTRA=1\n  - OVERLAY='))
    elif kind == 'break':
        p = os.path.join(first_overlay(root, 'svc04'), 'kustomization.yaml')
        w(p, open(p).read().replace('- path: replicas.yaml', '- path: missing.yaml'))
    elif kind == 'add':
        overlay(root, 'svc05', 'new-999', 999)
    elif kind == 'remove':
        shutil.rmtree(first_overlay(root, 'svc06'))
    else:
        sys.exit('unknown change: ' + kind)


def main():
    args = sys.argv[1:]
    if len(args) >= 3 and args[0] == '--change':
        for k in args[2:]:
            change(args[1], k)
        return
    root = args[0]
    n = int(args[1]) if len(args) > 1 else 300
    nb = int(args[2]) if len(args) > 2 else 10
    generate(root, n, nb)


if __name__ == '__main__':
    main()
