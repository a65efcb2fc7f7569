#!/usr/bin/env python3
"""Writes a large kustomize tree for benchmarks: one top overlay over N
app bases, each with a Deployment, Service, ConfigMap generator, patches
and labels.  usage: gen_tree.py DIR [N]"""
import os
import sys


def w(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)


def main():
    root = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 150
    apps = []
    for i in range(n):
        a = 'app%03d' % i
        apps.append(a)
        base = os.path.join(root, 'apps', a, 'base')
        w(os.path.join(base, 'deployment.yaml'), f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {a}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: {a}
  template:
    metadata:
      labels:
        app: {a}
    spec:
      containers:
      - name: main
        image: registry.example.com/{a}:1.0.0
        envFrom:
        - configMapRef:
            name: {a}-config
        ports:
        - containerPort: 8080
        resources:
          limits:
            cpu: 100m
            memory: 64Mi
""")
        w(os.path.join(base, 'service.yaml'), f"""apiVersion: v1
kind: Service
metadata:
  name: {a}
spec:
  selector:
    app: {a}
  ports:
  - port: 80
    targetPort: 8080
""")
        w(os.path.join(base, 'kustomization.yaml'), f"""resources:
- deployment.yaml
- service.yaml
configMapGenerator:
- name: {a}-config
  literals:
  - LOG_LEVEL=info
  - APP_NAME={a}
""")
        ov = os.path.join(root, 'apps', a, 'prod')
        w(os.path.join(ov, 'kustomization.yaml'), f"""resources:
- ../base
namePrefix: prod-
labels:
- pairs:
    env: prod
  includeSelectors: true
images:
- name: registry.example.com/{a}
  newTag: 2.0.0
patches:
- patch: |
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: {a}
    spec:
      replicas: 3
      template:
        spec:
          containers:
          - name: main
            resources:
              limits:
                memory: 256Mi
- target:
    kind: Service
  patch: |
    - op: add
      path: /metadata/annotations
      value:
        team: platform
""")
    w(os.path.join(root, 'kustomization.yaml'),
      'namespace: production\nresources:\n' + ''.join('- apps/%s/prod\n' % a for a in apps))


if __name__ == '__main__':
    main()
