"""Tests of the Python binding, against whichever libkbuild it loads
(the build tree's with KBUILD_LIBRARY, or an installed one)."""
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
if os.environ.get('KBUILD_PYTHONPATH'):
    # the installed package, not the source tree's
    sys.path.insert(0, os.environ['KBUILD_PYTHONPATH'])

import kbuild  # noqa: E402

CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: "1"\n'
DEPLOY = ('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n'
          'spec:\n  replicas: 1\n')
WANT = ('apiVersion: v1\ndata:\n  a: "1"\nkind: ConfigMap\nmetadata:\n  name: dev-settings\n'
        '---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: dev-web\n'
        'spec:\n  replicas: 3\n')


def tree(root, files):
    for rel, text in files.items():
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, 'w') as f:
            f.write(text)


APP = {
    'base/kustomization.yaml': 'resources:\n- cm.yaml\n- deploy.yaml\n',
    'base/cm.yaml': CM,
    'base/deploy.yaml': DEPLOY,
    'dev/kustomization.yaml': 'namePrefix: dev-\nresources:\n- ../base\n'
                              'replicas:\n- name: web\n  count: 3\n',
}


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = os.path.realpath(tempfile.mkdtemp(prefix='kbuild-py-'))
        tree(self.tmp, APP)

    def tearDown(self):
        shutil.rmtree(self.tmp)


class TestBuild(Base):
    def test_version(self):
        self.assertRegex(kbuild.version(), r'^\d+\.\d+\.\d+$')
        self.assertEqual(kbuild.__version__, kbuild.version())
        self.assertEqual(kbuild.abi_version(), 0)

    def test_build_from_disk(self):
        with kbuild.build(os.path.join(self.tmp, 'dev')) as r:
            self.assertEqual(r.yaml, WANT)
            self.assertEqual(r.count, 2)
            self.assertEqual(r.warnings, [])

    def test_same_bytes_as_the_cli(self):
        cli = os.environ.get('KBUILD_CLI')
        if not cli:
            self.skipTest('KBUILD_CLI not set')
        out = subprocess.run([cli, os.path.join(self.tmp, 'dev')], check=True,
                             capture_output=True).stdout
        self.assertEqual(kbuild.build(os.path.join(self.tmp, 'dev')).yaml_bytes, out)

    def test_relative_path_and_options(self):
        old = os.getcwd()
        os.chdir(self.tmp)
        try:
            r = kbuild.build('dev', reorder='none', load_restrictor='rootonly')
        finally:
            os.chdir(old)
        # reorder none keeps the load order (ConfigMap first here too)
        self.assertEqual(r.count, 2)
        with self.assertRaises(ValueError):
            kbuild.build('dev', reorder='sideways')
        with self.assertRaises(ValueError):
            kbuild.build('dev', load_restrictor='maybe')

    def test_build_from_memory_equals_disk(self):
        files = {os.path.join('/mem', k): v for k, v in APP.items()}
        r = kbuild.build('/mem/dev', files=files)
        self.assertEqual(r.yaml, WANT)
        # bytes work as well as str
        files_b = {k: v.encode() for k, v in files.items()}
        self.assertEqual(kbuild.build('/mem/dev', files=files_b).yaml, WANT)

    def test_memory_over_disk(self):
        # an editor's unsaved buffer over a tree on disk
        over = {os.path.join(self.tmp, 'base/cm.yaml'): CM.replace('"1"', '"unsaved"')}
        r = kbuild.build(os.path.join(self.tmp, 'dev'), files=over, overlay_disk=True)
        self.assertEqual(r.yaml, WANT.replace('"1"', 'unsaved'))  # the rest from the disk
        # without overlay_disk the disk is not there
        with self.assertRaises(kbuild.BuildError):
            kbuild.build(os.path.join(self.tmp, 'dev'), files=over)

    def test_load_restrictor_through_memory(self):
        files = {'/m/app/kustomization.yaml': 'resources:\n- ../cm.yaml\n', '/m/cm.yaml': CM}
        with self.assertRaises(kbuild.BuildError) as ctx:
            kbuild.build('/m/app', files=files)
        self.assertIn('not in or below', ctx.exception.diagnostic.message)
        self.assertEqual(kbuild.build('/m/app', files=files, load_restrictor='none').count, 1)

    def test_bad_memory_path(self):
        with self.assertRaises(ValueError):
            kbuild.build('/m', files={'relative/kustomization.yaml': ''})

    def test_concurrent_builds(self):
        dev = os.path.join(self.tmp, 'dev')
        files = {os.path.join('/mem', k): v for k, v in APP.items()}
        with concurrent.futures.ThreadPoolExecutor(8) as ex:
            outs = list(ex.map(lambda i: kbuild.build(dev).yaml if i % 2 else
                               kbuild.build('/mem/dev', files=files).yaml, range(64)))
        self.assertEqual(set(outs), {WANT})


class TestDiagnostics(Base):
    def test_error_chain(self):
        tree(self.tmp, {'base/deploy.yaml': DEPLOY + ' bad: indent\n'})
        with self.assertRaises(kbuild.BuildError) as ctx:
            kbuild.build(os.path.join(self.tmp, 'dev'))
        e = ctx.exception
        d = e.diagnostic
        self.assertEqual(e.code, kbuild.ERR_BUILD)
        self.assertEqual(d.kind, kbuild.ERROR)
        self.assertEqual(d.file, os.path.join(self.tmp, 'base/deploy.yaml'))
        self.assertEqual(d.line, 7)
        self.assertGreater(d.column, 0)
        self.assertIn('YAML', d.message)
        self.assertTrue(d.notes)
        self.assertTrue(all(n.kind == kbuild.NOTE for n in d.notes))
        self.assertEqual(d.notes[0].file, os.path.join(self.tmp, 'base/kustomization.yaml'))
        self.assertEqual((d.notes[0].line, d.notes[0].column), (3, 3))
        self.assertIn('deploy.yaml', d.notes[0].message)
        self.assertEqual(d.frames[0].message, d.message)
        self.assertEqual(len(d.frames), 1 + len(d.notes))
        # the text is kbuild's compiler-style one, made of the same frames
        self.assertTrue(d.text.startswith(str(d.frames[0]) + '\n'))
        self.assertIn('  note: ' + str(d.notes[0]) + '\n', d.text)
        self.assertEqual(str(e), d.text.rstrip('\n'))
        self.assertEqual(e.warnings, [])

    def test_did_you_mean(self):
        tree(self.tmp, {'dev/kustomization.yaml': 'resorces:\n- ../base\n'})
        with self.assertRaises(kbuild.BuildError) as ctx:
            kbuild.build(os.path.join(self.tmp, 'dev'))
        d = ctx.exception.diagnostic
        self.assertIn("did you mean 'resources'?", d.message)
        self.assertEqual((d.line, d.column), (1, 1))

    def test_warnings_on_success(self):
        tree(self.tmp, {'dev/kustomization.yaml': 'bases:\n- ../base\n'})
        r = kbuild.build(os.path.join(self.tmp, 'dev'))
        self.assertEqual(len(r.warnings), 1)
        w = r.warnings[0]
        self.assertEqual((w.kind, w.code), (kbuild.WARNING, kbuild.WARN_DEPRECATED))
        self.assertEqual(w.file, os.path.join(self.tmp, 'dev/kustomization.yaml'))
        self.assertEqual((w.line, w.column), (1, 1))
        self.assertEqual(w.message, "'bases' is deprecated; use 'resources' instead")
        self.assertEqual(str(w), '%s:1:1: warning: %s' % (w.file, w.message))

    def test_warnings_on_failure(self):
        tree(self.tmp, {'dev/kustomization.yaml': 'bases:\n- ../base\n- ../missing\n'})
        with self.assertRaises(kbuild.BuildError) as ctx:
            kbuild.build(os.path.join(self.tmp, 'dev'))
        e = ctx.exception
        self.assertEqual([w.code for w in e.warnings], [kbuild.WARN_DEPRECATED])
        self.assertEqual(e.warnings[0].kind, kbuild.WARNING)
        self.assertNotIn('deprecated', e.diagnostic.text)

    def test_patch_target_near_miss_warns(self):
        tree(self.tmp, {'dev/kustomization.yaml':
                        'resources:\n- ../base\npatches:\n- target:\n    kind: Deployment\n'
                        '    name: wbe\n  patch: |-\n    - op: replace\n'
                        '      path: /spec/replicas\n      value: 5\n'})
        r = kbuild.build(os.path.join(self.tmp, 'dev'))
        self.assertIn('replicas: 1', r.yaml)  # kustomize leaves it as is
        self.assertEqual(len(r.warnings), 1)
        self.assertEqual(r.warnings[0].code, kbuild.WARN_SUSPICIOUS)
        self.assertIn("did you mean 'web'?", r.warnings[0].message)
        self.assertEqual((r.warnings[0].line, r.warnings[0].column), (6, 11))


class TestWrite(Base):
    def test_write_file_symlink_dir(self):
        r = kbuild.build(os.path.join(self.tmp, 'dev'))
        out = os.path.join(self.tmp, 'out.yaml')
        r.write(out)
        with open(out) as f:
            self.assertEqual(f.read(), WANT)
        target = os.path.join(self.tmp, 'target.yaml')
        link = os.path.join(self.tmp, 'link.yaml')
        os.symlink('target.yaml', link)
        r.write(link)
        self.assertTrue(os.path.islink(link))
        with open(target) as f:
            self.assertEqual(f.read(), WANT)
        d = os.path.join(self.tmp, 'outdir')
        os.mkdir(d)
        r.write(d)
        self.assertEqual(sorted(os.listdir(d)),
                         ['apps_v1_deployment_dev-web.yaml', 'v1_configmap_dev-settings.yaml'])
        with self.assertRaises(kbuild.BuildError) as ctx:
            r.write(os.path.join(self.tmp, 'no', 'such', 'out.yaml'))
        self.assertEqual(ctx.exception.code, kbuild.ERR_IO)
        if os.path.exists('/dev/full'):
            with self.assertRaises(kbuild.BuildError) as ctx:
                os.symlink('/dev/full', os.path.join(self.tmp, 'full'))
                r.write(os.path.join(self.tmp, 'full'))
            self.assertIn('No space left', ctx.exception.diagnostic.message)
        r.close()
        with self.assertRaises(ValueError):
            r.write(out)


if __name__ == '__main__':
    unittest.main()
