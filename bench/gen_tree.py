#!/usr/bin/env python3
"""Writes large kustomize trees for benchmarks.

usage: gen_tree.py DIR [N]             one top overlay over N app bases, each
                                       with a Deployment, Service, ConfigMap
                                       generator, patches and labels
       gen_tree.py --monorepo DIR [N]  a GitOps monorepo: N apps, each with a
                                       base over shared bases and dev, staging
                                       and prod overlays (prod adds a
                                       component), and one cluster overlay per
                                       environment over every app's overlay:
                                       4N + 5 kustomization roots (`kbuild
                                       check`'s benchmark)
"""
import os
import sys


def w(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)


def monorepo(root, n):
    """Shared bases every app uses, so a check reads and parses them once."""
    w(os.path.join(root, 'bases', 'common', 'kustomization.yaml'), """resources:
- networkpolicy.yaml
- rbac.yaml
configMapGenerator:
- name: common-env
  literals:
  - CLUSTER_DOMAIN=cluster.local
  - LOG_FORMAT=json
  - TRACING=on
generatorOptions:
  disableNameSuffixHash: true
""")
    w(os.path.join(root, 'bases', 'common', 'networkpolicy.yaml'), """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
spec:
  podSelector: {}
  policyTypes:
  - Ingress
  - Egress
  egress:
  - to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
    ports:
    - protocol: UDP
      port: 53
""")
    w(os.path.join(root, 'bases', 'common', 'rbac.yaml'), """apiVersion: v1
kind: ServiceAccount
metadata:
  name: app
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: app-reader
rules:
- apiGroups: [""]
  resources: ["configmaps", "secrets"]
  verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: app-reader
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: app-reader
subjects:
- kind: ServiceAccount
  name: app
""")
    w(os.path.join(root, 'bases', 'monitoring', 'kustomization.yaml'), """resources:
- servicemonitor.yaml
""")
    w(os.path.join(root, 'bases', 'monitoring', 'servicemonitor.yaml'), """apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: app
spec:
  endpoints:
  - port: http
    interval: 30s
    path: /metrics
  selector:
    matchLabels:
      monitored: "true"
""")
    w(os.path.join(root, 'components', 'ha', 'kustomization.yaml'), """apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
resources:
- pdb.yaml
patches:
- target:
    kind: Deployment
  patch: |
    - op: add
      path: /spec/template/spec/topologySpreadConstraints
      value:
      - maxSkew: 1
        topologyKey: topology.kubernetes.io/zone
        whenUnsatisfiable: ScheduleAnyway
        labelSelector:
          matchLabels:
            tier: web
""")
    w(os.path.join(root, 'components', 'ha', 'pdb.yaml'), """apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: app
spec:
  minAvailable: 1
  selector:
    matchLabels:
      tier: web
""")
    envs = [('dev', 1, 'debug'), ('staging', 2, 'info'), ('prod', 3, 'warn')]
    for i in range(n):
        a = 'app%03d' % i
        base = os.path.join(root, 'apps', a, 'base')
        w(os.path.join(base, 'kustomization.yaml'), f"""resources:
- ../../../bases/common
- ../../../bases/monitoring
- deployment.yaml
- service.yaml
labels:
- pairs:
    app.kubernetes.io/name: {a}
  includeSelectors: true
configMapGenerator:
- name: {a}-config
  files:
  - config.properties
""")
        w(os.path.join(base, 'config.properties'), f"name={a}\nport=8080\nworkers=4\n")
        w(os.path.join(base, 'deployment.yaml'), f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {a}
spec:
  replicas: 1
  selector:
    matchLabels:
      tier: web
  template:
    metadata:
      labels:
        tier: web
        monitored: "true"
    spec:
      serviceAccountName: app
      containers:
      - name: main
        image: registry.example.com/team/{a}:1.0.0
        args: ["--config", "/etc/app/config.properties"]
        envFrom:
        - configMapRef:
            name: common-env
        ports:
        - name: http
          containerPort: 8080
        readinessProbe:
          httpGet:
            path: /healthz
            port: http
        resources:
          requests:
            cpu: 50m
            memory: 64Mi
          limits:
            memory: 128Mi
        volumeMounts:
        - name: config
          mountPath: /etc/app
      volumes:
      - name: config
        configMap:
          name: {a}-config
""")
        w(os.path.join(base, 'service.yaml'), f"""apiVersion: v1
kind: Service
metadata:
  name: {a}
spec:
  selector:
    tier: web
  ports:
  - name: http
    port: 80
    targetPort: http
""")
        for env, replicas, level in envs:
            ov = os.path.join(root, 'apps', a, 'overlays', env)
            comp = "components:\n- ../../../../components/ha\n" if env == 'prod' else ''
            w(os.path.join(ov, 'kustomization.yaml'), f"""resources:
- ../../base
{comp}namespace: {a}-{env}
nameSuffix: -{env}
labels:
- pairs:
    env: {env}
images:
- name: registry.example.com/team/{a}
  newTag: 1.{i % 7}.{replicas}
replicas:
- name: {a}
  count: {replicas}
configMapGenerator:
- name: {a}-config
  behavior: merge
  literals:
  - LOG_LEVEL={level}
patches:
- path: resources.yaml
""")
            w(os.path.join(ov, 'resources.yaml'), f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {a}
spec:
  template:
    spec:
      containers:
      - name: main
        resources:
          limits:
            memory: {128 * replicas}Mi
""")
    for env, _, _ in envs:
        w(os.path.join(root, 'clusters', env, 'kustomization.yaml'),
          'resources:\n' + ''.join('- ../../apps/app%03d/overlays/%s\n' % (i, env) for i in range(n)))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == '--monorepo':
        monorepo(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 100)
        return
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
