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
       gen_tree.py --crds DIR [MB]     a CRD-heavy install (a tree like
                                       argo-workflows' quick-start/sso): a
                                       few CRDs with deep openAPIV3Schema
                                       and long descriptions, about MB
                                       megabytes (default 12), in a base
                                       with controllers, RBAC and a
                                       component, built with a namespace
       gen_tree.py --flat DIR [N]      one flat kustomization of N generated
                                       manifests (default 130, about 6 MB: a
                                       tree like kube-prometheus): dashboards
                                       as big JSON strings in ConfigMaps,
                                       PrometheusRules, Deployments,
                                       ServiceMonitors, RBAC
"""
import json
import random
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


WORDS = ('the of resource field value which when must controller workflow template '
         'template artifact parameter container volume secret name namespace optional '
         'specifies default selector object this is a an to be set used by').split()


def sentence(r, n):
    return ' '.join(r.choice(WORDS) for _ in range(n)).capitalize() + '.'


def schema(r, depth, width):
    """A deep openAPIV3Schema fragment, as controller-gen writes them."""
    if depth == 0:
        t = r.choice(['string', 'integer', 'boolean', 'string'])
        out = {'description': sentence(r, r.randint(8, 40)), 'type': t}
        if t == 'integer':
            out['format'] = 'int32'
        if t == 'string' and r.random() < 0.2:
            out['enum'] = ['Always', 'Never', 'IfNotPresent']
        return out
    props = {}
    for i in range(width):
        props['%s%s%d' % (r.choice(WORDS), r.choice(WORDS).capitalize(), i)] = schema(
            r, depth - 1 if r.random() < 0.7 else 0, width)
    out = {'description': sentence(r, r.randint(10, 60)) + '\n' + sentence(r, 20),
           'properties': props, 'type': 'object'}
    if r.random() < 0.3:
        out['required'] = sorted(props)[:2]
    if r.random() < 0.2:
        out = {'description': out['description'], 'items': out, 'type': 'array'}
    return out


def yaml_of(obj, indent=0):
    """Block YAML of plain data (strings with newlines as literal blocks)."""
    sp = ' ' * indent
    lines = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, (dict, list)) and v:
                lines.append('%s%s:' % (sp, k))
                lines.append(yaml_of(v, indent + 2))
            else:
                lines.append('%s%s: %s' % (sp, k, scalar(v, indent + 2)))
    else:
        for v in obj:
            if isinstance(v, dict) and v:
                sub = yaml_of(v, indent + 2)
                lines.append('%s- %s' % (sp, sub[indent + 2:]))
            else:
                lines.append('%s- %s' % (sp, scalar(v, indent + 2)))
    return '\n'.join(lines)


def scalar(v, indent):
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, (dict, list)):
        return '{}' if isinstance(v, dict) else '[]'
    if '\n' in v:
        return '|-\n' + '\n'.join(' ' * indent + l for l in v.split('\n'))
    return json.dumps(v) if (v[:1] in '"\'{[&*!|>%@`#' or ': ' in v or v in ('true', 'false')) else v


def crds(root, mb):
    r = random.Random(1)
    base = os.path.join(root, 'base')
    files = []
    size = 0
    i = 0
    while size < mb * 1_000_000:
        name = '%ss' % r.choice(['workflow', 'template', 'cronjob', 'sensor', 'eventsource'])
        kind = name[:-1].capitalize() + str(i)
        crd = {'apiVersion': 'apiextensions.k8s.io/v1', 'kind': 'CustomResourceDefinition',
               'metadata': {'name': '%s%d.example.io' % (name, i)},
               'spec': {'group': 'example.io',
                        'names': {'kind': kind, 'listKind': kind + 'List',
                                  'plural': '%s%d' % (name, i), 'singular': kind.lower()},
                        'scope': 'Namespaced',
                        'versions': [{'name': 'v1alpha1', 'served': True, 'storage': True,
                                      'schema': {'openAPIV3Schema': schema(r, 7, 5)}}]}}
        text = yaml_of(crd) + '\n'
        fn = 'crd-%02d.yaml' % i
        w(os.path.join(base, 'crds', fn), text)
        files.append('crds/' + fn)
        size += len(text)
        i += 1
    w(os.path.join(base, 'crds', 'kustomization.yaml'),
      'resources:\n' + ''.join('- %s\n' % f[5:] for f in files))
    res = []
    for j in range(6):
        n = 'controller-%d' % j
        w(os.path.join(base, n + '.yaml'), f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {n}
spec:
  selector:
    matchLabels:
      app: {n}
  template:
    metadata:
      labels:
        app: {n}
    spec:
      serviceAccountName: {n}
      containers:
      - name: main
        image: quay.io/example/{n}:v3.5.0
        args: [--namespaced, --configmap, {n}-config]
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {n}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: {n}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {n}
subjects:
- kind: ServiceAccount
  name: {n}
""")
        res.append(n + '.yaml')
    w(os.path.join(base, 'kustomization.yaml'),
      'resources:\n- crds\n' + ''.join('- %s\n' % f for f in res))
    w(os.path.join(root, 'components', 'sso', 'kustomization.yaml'), """apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
patches:
- target:
    kind: Deployment
  patch: |
    - op: add
      path: /spec/template/spec/containers/0/args/-
      value: --auth-mode=sso
""")
    w(os.path.join(root, 'overlay', 'kustomization.yaml'), """resources:
- ../base
components:
- ../components/sso
namespace: argo
labels:
- pairs:
    app.kubernetes.io/part-of: example
""")


def flat(root, n):
    r = random.Random(2)
    files = []
    for i in range(n):
        kind = ['dashboard', 'rules', 'deployment', 'servicemonitor', 'rbac'][i % 5]
        name = 'comp%03d-%s' % (i, kind)
        if kind == 'dashboard':
            panels = [{'id': p, 'title': sentence(r, 4), 'type': 'timeseries',
                       'targets': [{'expr': 'sum(rate(http_requests_total{job="%s"}[5m])) by (code)' % name,
                                    'legendFormat': '{{code}}'}],
                       'gridPos': {'h': 8, 'w': 12, 'x': 0, 'y': p * 8}} for p in range(200)]
            text = yaml_of({'apiVersion': 'v1', 'kind': 'ConfigMap',
                            'metadata': {'name': name, 'namespace': 'monitoring'},
                            'data': {name + '.json': json.dumps({'panels': panels}, indent=4)}})
        elif kind == 'rules':
            rules = [{'alert': 'Alert%d' % k, 'annotations': {'description': sentence(r, 30),
                                                             'summary': sentence(r, 8)},
                      'expr': 'rate(errors_total{job="%s"}[5m]) > %d' % (name, k),
                      'for': '15m', 'labels': {'severity': 'warning'}} for k in range(240)]
            text = yaml_of({'apiVersion': 'monitoring.coreos.com/v1', 'kind': 'PrometheusRule',
                            'metadata': {'name': name, 'namespace': 'monitoring'},
                            'spec': {'groups': [{'name': name, 'rules': rules}]}})
        elif kind == 'deployment':
            text = yaml_of({'apiVersion': 'apps/v1', 'kind': 'Deployment',
                            'metadata': {'name': name, 'namespace': 'monitoring',
                                         'labels': {'app.kubernetes.io/name': name}},
                            'spec': {'replicas': 2, 'selector': {'matchLabels': {'app.kubernetes.io/name': name}},
                                     'template': {'metadata': {'labels': {'app.kubernetes.io/name': name}},
                                                  'spec': {'containers': [{'name': 'main', 'image': 'quay.io/prometheus/%s:v2.45.0' % name,
                                                                           'args': ['--config.file=/etc/%s.yaml' % name, '--web.listen-address=:9090'],
                                                                           'resources': {'limits': {'cpu': '200m', 'memory': '200Mi'}}}]}}}})
        elif kind == 'servicemonitor':
            text = yaml_of({'apiVersion': 'monitoring.coreos.com/v1', 'kind': 'ServiceMonitor',
                            'metadata': {'name': name, 'namespace': 'monitoring'},
                            'spec': {'endpoints': [{'port': 'https', 'interval': '30s', 'scheme': 'https',
                                                    'relabelings': [{'action': 'replace', 'sourceLabels': ['__meta_%d' % k],
                                                                     'targetLabel': 'l%d' % k} for k in range(10)]}],
                                     'selector': {'matchLabels': {'app.kubernetes.io/name': name}}}})
        else:
            text = yaml_of({'apiVersion': 'rbac.authorization.k8s.io/v1', 'kind': 'ClusterRole',
                            'metadata': {'name': name},
                            'rules': [{'apiGroups': [''], 'resources': ['pods', 'services', 'endpoints'],
                                       'verbs': ['get', 'list', 'watch']} for _ in range(10)]})
        fn = name + '.yaml'
        w(os.path.join(root, fn), text + '\n')
        files.append(fn)
    w(os.path.join(root, 'kustomization.yaml'),
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n' +
      ''.join('- ./%s\n' % f for f in files))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == '--monorepo':
        monorepo(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 100)
        return
    if len(sys.argv) > 1 and sys.argv[1] == '--crds':
        crds(sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 8)
        return
    if len(sys.argv) > 1 and sys.argv[1] == '--flat':
        flat(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 130)
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
