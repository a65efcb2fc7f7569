#!/bin/sh
# A transformer that replaces whatever it gets with one Secret.
cat <<EOF
apiVersion: v1
kind: Secret
metadata:
  name: dummyTransformed
stringData:
  foo: bar
type: Opaque
EOF
