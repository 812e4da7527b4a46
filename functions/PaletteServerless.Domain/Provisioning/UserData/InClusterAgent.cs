namespace PaletteServerless.Domain.Provisioning;

/// <summary>
/// The in-cluster agent: a systemd timer on every control plane that runs <see cref="ScriptPath"/> every
/// <see cref="IntervalSeconds"/> seconds. One control plane acts for the cluster, the one whose node name sorts
/// first among the cluster's control-plane nodes (the others find they are not it and stop), so a repave that
/// replaces the first control plane keeps an agent. It reads the cluster's desired in-cluster state
/// (<see cref="DesiredState"/>, the parameter named in <see cref="NodeEnv.DesiredState"/>) with the node's
/// instance profile, and when its generation is not the one it last applied: uninstalls the packs and removes the
/// <c>settings.rbac</c> bindings the last applied state had and this one has not, installs or upgrades every pack
/// in order (<c>helm upgrade --install</c>, <c>kubectl apply</c>), applies the RBAC manifest, and reports the
/// generation by tagging its own instance (<see cref="NodePhases.AgentGenerationTagKey"/>), with
/// <see cref="NodePhases.AgentApplied"/> or the failed pack and the tool's error. A failure is tried again at the
/// next run; a newer generation replaces it. Every value comes from the parameter as data (jq), quoted.
/// </summary>
public static class InClusterAgent
{
    public const string ScriptPath = "/usr/local/sbin/palette-agent";
    public const string TimerName = "palette-agent.timer";
    public const string ServicePath = "/etc/systemd/system/palette-agent.service";
    public const string TimerPath = "/etc/systemd/system/" + TimerName;
    public const string StateDirectory = "/var/lib/palette/agent";

    /// <summary>How often the agent looks for a new generation (what the update workflow's poll waits, at least).</summary>
    public const int IntervalSeconds = 30;

    public const string Service =
        "[Unit]\nDescription=Apply the cluster's desired in-cluster state (packs, RBAC bindings)\nAfter=kubelet.service\n\n" +
        "[Service]\nType=oneshot\nExecStart=" + ScriptPath + "\n";

    public static readonly string Timer =
        "[Unit]\nDescription=Apply the cluster's desired in-cluster state when its generation changes\n\n" +
        $"[Timer]\nOnActiveSec=10s\nOnUnitActiveSec={IntervalSeconds}s\nAccuracySec=1s\n\n[Install]\nWantedBy=timers.target\n";

    private const string Imds =
        "imds=http://169.254.169.254/latest\n" +
        "imds_token=$(curl -fsS -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' \"$imds/api/token\")\n" +
        "instance=$(curl -fsS -H \"X-aws-ec2-metadata-token: $imds_token\" \"$imds/meta-data/instance-id\")\n";

    /// <summary>The agent's script (POSIX sh; jq reads the document).</summary>
    public static string Script() =>
        "#!/bin/sh\n" +
        "# The in-cluster agent: applies the cluster's desired in-cluster state and reports the generation it applied.\n" +
        "set -eu\n" +
        ". " + NodeEnv.Path + "\n" +
        "export KUBECONFIG=/etc/kubernetes/admin.conf\n" +
        $"state={StateDirectory}\n" +
        "mkdir -p \"$state\"\n" +
        "# One agent acts for the cluster: the control plane whose node name sorts first.\n" +
        "leader=$(kubectl get nodes -l node-role.kubernetes.io/control-plane -o 'jsonpath={.items[*].metadata.name}' | tr ' ' '\\n' | sort | head -n 1)\n" +
        "[ \"$leader\" = \"$PALETTE_NODE_NAME\" ] || exit 0\n" +
        Imds +
        "report() {\n" +
        "  message=$(printf '%s' \"$2\" | tr -c 'A-Za-z0-9 +=._:/@-' ' ' | cut -c 1-256)\n" +
        "  aws ec2 create-tags --region \"$PALETTE_REGION\" --resources \"$instance\" --tags \"Key=$PALETTE_AGENT_GENERATION_TAG,Value=$1\" \"Key=$PALETTE_AGENT_MESSAGE_TAG,Value=$message\"\n" +
        "}\n" +
        "aws ssm get-parameter --region \"$PALETTE_REGION\" --name \"$PALETTE_DESIRED_STATE\" --query Parameter.Value --output text | base64 -d | gunzip > \"$state/desired.json\"\n" +
        "generation=$(jq -r '.generation' \"$state/desired.json\")\n" +
        "applied=$(cat \"$state/applied-generation\" 2>/dev/null || echo 0)\n" +
        "# On-demand backups and restores (settings.backup): once Velero is installed, each operation becomes a Velero\n" +
        "# Backup or Restore, created once by name, whatever the generation (Velero uploads the result to the bucket).\n" +
        "if helm status velero --namespace velero >/dev/null 2>&1; then\n" +
        "  touch \"$state/operations\"\n" +
        "  jq -c '.backup.operations[]?' \"$state/desired.json\" | while read -r op; do\n" +
        "    name=$(printf '%s' \"$op\" | jq -r '.name')\n" +
        "    grep -qxF \"$name\" \"$state/operations\" && continue\n" +
        "    printf '%s' \"$op\" | jq '{apiVersion: \"velero.io/v1\", metadata: {name: .name, namespace: \"velero\"}} + " +
            "(if .kind == \"restore\" then {kind: \"Restore\", spec: {backupName: .backup}} " +
            "else {kind: \"Backup\", spec: {storageLocation: \"default\", ttl: \"\\(.ttlHours)h0m0s\", snapshotVolumes: false}} end)' " +
            "| kubectl create -f - >/dev/null 2>&1 || kubectl get -n velero backups.velero.io,restores.velero.io -o name | grep -q \"/$name\\$\" || continue\n" +
        "    echo \"$name\" >> \"$state/operations\"\n" +
        "  done\n" +
        "fi\n" +
        "# On-demand security scans (settings.securityScans): kube-bench as a Job on one node of each role, its JSON\n" +
        "# output uploaded to the cluster's bucket, each scan once.\n" +
        "touch \"$state/operations\"\n" +
        "jq -r '.scans.operations[]?.name' \"$state/desired.json\" | while read -r scan; do\n" +
        "  grep -qxF \"scan:$scan\" \"$state/operations\" && continue\n" +
        "  for role in $(jq -r '.scans.nodeRoles[]' \"$state/desired.json\"); do\n" +
        "    job=kube-bench-$role\n" +
        "    kubectl delete job -n kube-system \"$job\" --ignore-not-found >/dev/null\n" +
        "    jq -n --arg job \"$job\" --arg role \"$role\" --arg image \"$(jq -r '.scans.image' \"$state/desired.json\")\" '{apiVersion: \"batch/v1\", kind: \"Job\", " +
            "metadata: {name: $job, namespace: \"kube-system\"}, spec: {backoffLimit: 0, template: {spec: {hostPID: true, restartPolicy: \"Never\", " +
            "tolerations: [{operator: \"Exists\"}], affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: " +
            "[{key: \"node-role.kubernetes.io/control-plane\", operator: (if $role == \"controlplane\" then \"Exists\" else \"DoesNotExist\" end)}]}]}}}, " +
            "containers: [{name: \"kube-bench\", image: $image, command: [\"kube-bench\", \"run\", \"--targets\", (if $role == \"controlplane\" then \"master,node\" else \"node\" end), \"--json\"], " +
            "volumeMounts: [{name: \"etc-kubernetes\", mountPath: \"/etc/kubernetes\", readOnly: true}, {name: \"var-lib-kubelet\", mountPath: \"/var/lib/kubelet\", readOnly: true}, " +
            "{name: \"etc-systemd\", mountPath: \"/etc/systemd\", readOnly: true}, {name: \"lib-systemd\", mountPath: \"/lib/systemd\", readOnly: true}, " +
            "{name: \"usr-bin\", mountPath: \"/usr/local/mount-from-host/bin\", readOnly: true}]}], " +
            "volumes: [{name: \"etc-kubernetes\", hostPath: {path: \"/etc/kubernetes\"}}, {name: \"var-lib-kubelet\", hostPath: {path: \"/var/lib/kubelet\"}}, " +
            "{name: \"etc-systemd\", hostPath: {path: \"/etc/systemd\"}}, {name: \"lib-systemd\", hostPath: {path: \"/lib/systemd\"}}, {name: \"usr-bin\", hostPath: {path: \"/usr/bin\"}}]}}}}' " +
            "| kubectl create -f - >/dev/null\n" +
        "    kubectl wait -n kube-system --for=condition=complete \"job/$job\" --timeout=300s >/dev/null || continue\n" +
        "    kubectl logs -n kube-system \"job/$job\" > \"$state/scan.json\"\n" +
        "    aws s3 cp --region \"$PALETTE_REGION\" \"$state/scan.json\" \"s3://$(jq -r '.scans.bucket' \"$state/desired.json\")/$(jq -r '.scans.prefix' \"$state/desired.json\")/$scan/$role.json\" >/dev/null\n" +
        "  done\n" +
        "  echo \"scan:$scan\" >> \"$state/operations\"\n" +
        "done\n" +
        "[ \"$generation\" != \"$applied\" ] || exit 0\n" +
        "fail() {\n" +
        "  echo \"palette: $1\" >&2\n" +
        $"  report \"$generation\" \"{NodePhases.AgentFailedPrefix}$1\" || true\n" +
        "  exit 1\n" +
        "}\n" +
        $"[ \"$(jq -r '.schema' \"$state/desired.json\")\" -le {DesiredState.CurrentSchema} ] || fail \"the desired state's schema is newer than this agent's\"\n" +
        "[ -e \"$state/applied.json\" ] || echo '{\"packs\":[],\"rbac\":{\"bindings\":[]}}' > \"$state/applied.json\"\n" +
        "command -v helm >/dev/null || snap install helm --classic || fail helm\n" +
        "# Prune: the packs the last applied state had and this one has not.\n" +
        "for name in $(jq -r '.packs[].name' \"$state/applied.json\"); do\n" +
        "  jq -e --arg n \"$name\" '.packs[] | select(.name == $n)' \"$state/desired.json\" >/dev/null && continue\n" +
        "  old() {\n    jq -r --arg n \"$name\" --arg f \"$1\" '.packs[] | select(.name == $n) | .[$f] // empty' \"$state/applied.json\"\n  }\n" +
        "  case \"$(old kind)\" in\n" +
        "    helm) out=$(helm uninstall \"$name\" --namespace \"$(old namespace)\" --wait 2>&1) || fail \"$name-$(old version): $(printf '%s' \"$out\" | tail -n 1)\" ;;\n" +
        "    manifest) out=$(kubectl delete --ignore-not-found -f \"$(old url)\" 2>&1) || fail \"$name-$(old version): $(printf '%s' \"$out\" | tail -n 1)\" ;;\n" +
        "  esac\n" +
        "done\n" +
        "# Install or upgrade every pack, in order.\n" +
        "count=$(jq '.packs | length' \"$state/desired.json\")\n" +
        "i=0\n" +
        "while [ \"$i\" -lt \"$count\" ]; do\n" +
        "  field() {\n    jq -r --argjson i \"$i\" --arg f \"$1\" '.packs[$i][$f] // empty' \"$state/desired.json\"\n  }\n" +
        "  name=$(field name)\n" +
        "  pack=\"$name-$(field version)\"\n" +
        "  field values > \"$state/values.yaml\"\n" +
        "  case \"$(field kind)\" in\n" +
        "    helm)\n" +
        "      out=$(helm upgrade --install \"$name\" \"$(field chart)\" --repo \"$(field repository)\" --version \"$(field chartVersion)\" " +
            "--namespace \"$(field namespace)\" --create-namespace --values \"$state/values.yaml\" --wait --timeout 10m 2>&1) || fail \"$pack: $(printf '%s' \"$out\" | tail -n 1)\" ;;\n" +
        "    manifest)\n" +
        "      if jq -e --argjson i \"$i\" '.packs[$i].calico' \"$state/desired.json\" >/dev/null; then\n" +
        "        calico() {\n          jq -r --argjson i \"$i\" --arg f \"$1\" '.packs[$i].calico[$f]' \"$state/desired.json\"\n        }\n" +
        "        ipip=$(calico ipip)\n" +
        "        vxlan=$(calico vxlan)\n" +
        "        case \"$ipip/$vxlan\" in\n" +
        "          Always/Never | CrossSubnet/Never | Never/Always | Never/CrossSubnet | Never/Never) ;;\n" +
        "          *) fail \"$pack: CALICO_IPV4POOL_IPIP $ipip with CALICO_IPV4POOL_VXLAN $vxlan is not a pool Calico runs\" ;;\n" +
        "        esac\n" +
        "        backend=bird\n" +
        "        probes='/^$/b'\n" +
        "        if [ \"$(calico bgp)\" = false ]; then\n" +
        "          backend=vxlan\n" +
        "          probes='/- -bird-live$/d;/- -bird-ready$/d'\n" +
        "        fi\n" +
        "        out=$(curl -fsSL \"$(field url)\" | sed -e \"/name: CALICO_IPV4POOL_IPIP\\$/{n;s/value: .*/value: \\\"$ipip\\\"/;}\" " +
            "-e \"/name: CALICO_IPV4POOL_VXLAN\\$/{n;s/value: .*/value: \\\"$vxlan\\\"/;}\" -e \"s/calico_backend: \\\"bird\\\"/calico_backend: \\\"$backend\\\"/\" -e \"$probes\" " +
            "| kubectl apply -f - 2>&1) || fail \"$pack: $(printf '%s' \"$out\" | tail -n 1)\"\n" +
        "      else\n" +
        "        out=$(kubectl apply -f \"$(field url)\" 2>&1) || fail \"$pack: $(printf '%s' \"$out\" | tail -n 1)\"\n" +
        "      fi ;;\n" +
        "    *) fail \"$pack: no install is known for this pack\" ;;\n" +
        "  esac\n" +
        "  i=$((i + 1))\n" +
        "done\n" +
        "# The RBAC bindings: apply, then remove the settings.rbac bindings that are gone.\n" +
        "jq -r '.rbac.manifest' \"$state/desired.json\" > \"$state/rbac.yaml\"\n" +
        "out=$(kubectl apply -f \"$state/rbac.yaml\" 2>&1) || fail \"rbac-bindings: $(printf '%s' \"$out\" | tail -n 1)\"\n" +
        "for binding in $(jq -r '.rbac.bindings[]' \"$state/applied.json\"); do\n" +
        "  jq -e --arg b \"$binding\" '.rbac.bindings | index($b)' \"$state/desired.json\" >/dev/null && continue\n" +
        "  case \"$binding\" in\n" +
        "    RoleBinding/*)\n" +
        "      rest=${binding#RoleBinding/}\n" +
        "      kubectl delete rolebinding --ignore-not-found -n \"${rest%%/*}\" \"${rest#*/}\" >/dev/null || fail \"rbac-bindings: could not remove $binding\" ;;\n" +
        "    ClusterRoleBinding/*)\n" +
        "      kubectl delete clusterrolebinding --ignore-not-found \"${binding#ClusterRoleBinding/}\" >/dev/null || fail \"rbac-bindings: could not remove $binding\" ;;\n" +
        "  esac\n" +
        "done\n" +
        "# Reported first: a report that fails leaves the generation to apply (and report) again at the next run.\n" +
        $"report \"$generation\" {NodePhases.AgentApplied}\n" +
        "cp \"$state/desired.json\" \"$state/applied.json\"\n" +
        "echo \"$generation\" > \"$state/applied-generation\"\n";
}
