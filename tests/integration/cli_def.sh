#!/usr/bin/env bash
# `vela def list` and `vela show` as a user runs them: every built-in definition is listed
# with its kind, `vela show` prints KubeVela's tables (a Specification table, one more per
# nested list) and refuses unknown names and misuse with the documented exit statuses.
source "$(dirname "$0")/lib.sh"
cd "$VELA_SOURCE_DIR"

# run NAME ARGS...: runs vela, keeping stdout, stderr and the exit status.
run() {
  local name=$1
  shift
  vela "$@" >"$T_DIR/$name.out" 2>"$T_DIR/$name.err"
  echo $? >"$T_DIR/$name.rc"
}
rc_is() { [ "$(cat "$T_DIR/$1.rc")" = "$2" ] || { echo "  $1: exit $(cat "$T_DIR/$1.rc"), want $2" >&2; cat "$T_DIR/$1.err" >&2; return 1; }; }
out_has() { grep -qF -- "$2" "$T_DIR/$1.out" || { echo "  $1: stdout lacks: $2" >&2; cat "$T_DIR/$1.out" >&2; return 1; }; }
out_lacks() { ! grep -qF -- "$2" "$T_DIR/$1.out" || { echo "  $1: stdout has: $2" >&2; return 1; }; }
err_has() { grep -qF -- "$2" "$T_DIR/$1.err" || { echo "  $1: stderr lacks: $2" >&2; cat "$T_DIR/$1.err" >&2; return 1; }; }

run list def list
def_list() {
  rc_is list 0 &&
    [ "$(head -1 "$T_DIR/list.out" | tr -s ' \t' ' ')" = "NAME TYPE NAMESPACE DESCRIPTION" ] &&
    for t in cron-task daemon k8s-objects raw statefulset task webservice worker; do
      grep -qE "^$t *	ComponentDefinition	vela-system" "$T_DIR/list.out" ||
        { echo "  list: no row for $t" >&2; return 1; }
    done &&
    for t in annotations env gateway labels scaler; do
      grep -qE "^$t *	TraitDefinition" "$T_DIR/list.out" || { echo "  list: no row for $t" >&2; return 1; }
    done &&
    out_has list "A StatefulSet: replicated pods with stable names"
}
check "def list: every component type and trait, with its kind and description" def_list

run list_traits def list --type trait
check "def list --type trait: traits only" \
  eval 'rc_is list_traits 0 && out_has list_traits scaler && out_lacks list_traits ComponentDefinition'
run list_bad def list --type policy
check "def list --type policy: a usage error" eval 'rc_is list_bad 2 && err_has list_bad policy'

run show_web show webservice
# The Specification table exactly (KubeVela's layout: borders, centred headers), then the
# tables of the nested lists.
show_webservice() {
  rc_is show_web 0 || return 1
  diff -u - <(sed -n '1,5p' "$T_DIR/show_web.out") <<'TABLE' >&2 || return 1
# Specification
+------------------+-------------+---------------------------------------------+----------+---------+
|       NAME       | DESCRIPTION |                    TYPE                     | REQUIRED | DEFAULT |
+------------------+-------------+---------------------------------------------+----------+---------+
| image            |             | string                                      | true     |         |
TABLE
  out_has show_web '| ports            |             | [[]ports](#ports)                           | false    |         |' &&
    out_has show_web '## ports' && out_has show_web '## env' &&
    out_has show_web '| protocol      |             | "TCP" or "UDP" or "SCTP" | false    |         |'
}
check "show webservice: KubeVela's tables" show_webservice

run show_sts show statefulset
check "show statefulset: descriptions end with a full stop, defaults shown" \
  eval 'rc_is show_sts 0 && out_has show_sts "| image            | Container image to run." &&
        out_has show_sts "| exposeType       | Type of the Service of exposed ports." &&
        out_has show_sts "| ClusterIP |"'

run show_trait show scaler
check "show scaler: a trait's table" eval 'rc_is show_trait 0 && out_has show_trait "| replicas |"'

run show_unknown show helm
check "show helm: unknown, exit 1 with the known names" \
  eval 'rc_is show_unknown 1 && err_has show_unknown "no definition named \"helm\"" &&
        err_has show_unknown "cron-task, daemon"'
run show_none show
check "show without a name: a usage error" eval 'rc_is show_none 2'

finish
