using PaletteServerless.Domain.VirtualClusters;

namespace PaletteServerless.Domain.Provisioning;

/// <summary>
/// The virtual clusters' agent, beside the in-cluster agent on every control plane: a systemd timer that runs
/// <see cref="ScriptPath"/> every <see cref="InClusterAgent.IntervalSeconds"/> seconds on the control plane whose node
/// name sorts first (as the in-cluster agent). It reads the list the product writes (<see cref="DesiredVirtualClusters"/>,
/// its name in <see cref="NodeEnv.VirtualClusters"/>) at every run, since a virtual cluster has no spec generation: each
/// <c>present</c> one it installs once (<c>helm upgrade --install</c> of the pinned vcluster chart, its release named after
/// it in its own namespace, as vcluster does) and reports Running with the kubeconfig vcluster wrote to its secret
/// <c>vc-&lt;name&gt;</c> (key <c>config</c>), or Failed with the tool's last error line; each <c>absent</c> one it uninstalls,
/// removes its namespace and reports Deleted. A report overwrites the virtual cluster's own SecureString parameter (the
/// product created it; the control-plane role may overwrite only those of its own cluster), and only when it changed.
/// Every value comes from the list as data (jq), quoted; the kubeconfig goes through files of mode 0600, never argv.
/// </summary>
public static class VirtualClusterAgent
{
    public const string ScriptPath = "/usr/local/sbin/palette-vclusters";
    public const string TimerName = "palette-vclusters.timer";
    public const string ServicePath = "/etc/systemd/system/palette-vclusters.service";
    public const string TimerPath = "/etc/systemd/system/" + TimerName;
    public const string StateDirectory = "/var/lib/palette/vclusters";

    public const string Service =
        "[Unit]\nDescription=Install and remove the cluster's virtual clusters\nAfter=kubelet.service\n\n" +
        "[Service]\nType=oneshot\nExecStart=" + ScriptPath + "\n";

    public static readonly string Timer =
        "[Unit]\nDescription=Install and remove the cluster's virtual clusters as the product asks\n\n" +
        $"[Timer]\nOnActiveSec=10s\nOnUnitActiveSec={InClusterAgent.IntervalSeconds}s\nAccuracySec=1s\n\n[Install]\nWantedBy=timers.target\n";

    /// <summary>The script (POSIX sh; jq reads the list).</summary>
    public static string Script() =>
        "#!/bin/sh\n" +
        "# Virtual clusters: installs and removes the ones the product lists, and reports each one with its kubeconfig.\n" +
        "set -eu\n" +
        ". " + NodeEnv.Path + "\n" +
        "export KUBECONFIG=/etc/kubernetes/admin.conf\n" +
        "umask 077\n" +
        $"state={StateDirectory}\n" +
        "mkdir -p \"$state\"\n" +
        "leader=$(kubectl get nodes -l node-role.kubernetes.io/control-plane -o 'jsonpath={.items[*].metadata.name}' | tr ' ' '\\n' | sort | head -n 1)\n" +
        "[ \"$leader\" = \"$PALETTE_NODE_NAME\" ] || exit 0\n" +
        "aws ssm get-parameter --region \"$PALETTE_REGION\" --name \"$PALETTE_VIRTUAL_CLUSTERS\" --query Parameter.Value --output text > \"$state/list.json\" || exit 0\n" +
        $"[ \"$(jq -r '.schema' \"$state/list.json\")\" -le {DesiredVirtualClusters.CurrentSchema} ] || {{ echo 'palette: the virtual cluster list is newer than this agent' >&2; exit 1; }}\n" +
        "command -v helm >/dev/null || snap install helm --classic\n" +
        "# A report overwrites the virtual cluster's parameter, only when it changed (a new leader reports once again).\n" +
        "report() {\n" +
        "  sum=$(sha256sum < \"$3\" | cut -d ' ' -f 1)\n" +
        "  [ \"$(cat \"$state/$1.sum\" 2>/dev/null || true)\" != \"$sum\" ] || return 0\n" +
        "  aws ssm put-parameter --region \"$PALETTE_REGION\" --name \"$2\" --type SecureString --key-id '" + SecretParameters.KmsKeyAlias + "' " +
            "--tier Intelligent-Tiering --overwrite --value \"file://$3\" >/dev/null\n" +
        "  echo \"$sum\" > \"$state/$1.sum\"\n" +
        "}\n" +
        "list() {\n  jq -r --arg f \"$1\" '.[$f]' \"$state/list.json\"\n}\n" +
        "count=$(jq '.items | length' \"$state/list.json\")\n" +
        "i=0\n" +
        "while [ \"$i\" -lt \"$count\" ]; do\n" +
        "  item() {\n    jq -r --argjson i \"$i\" --arg f \"$1\" '.items[$i][$f]' \"$state/list.json\"\n  }\n" +
        "  name=$(item name)\n" +
        "  namespace=$(item namespace)\n" +
        "  out=\"$state/$name.json\"\n" +
        "  if [ \"$(item state)\" = absent ]; then\n" +
        "    # The namespace holds the release's objects and Helm's own record of it: deleting it removes whatever uninstall left.\n" +
        "    if helm status \"$name\" --namespace \"$namespace\" >/dev/null 2>&1; then\n" +
        "      helm uninstall \"$name\" --namespace \"$namespace\" --wait >/dev/null 2>&1 || true\n" +
        "    fi\n" +
        "    kubectl delete namespace \"$namespace\" --ignore-not-found --wait=true >/dev/null\n" +
        "    jq -n '{status: \"Deleted\"}' > \"$out\"\n" +
        "  elif [ \"$(list enabled)\" != true ]; then\n" +
        "    jq -n '{status: \"Failed\", message: \"settings.virtualClusters.enabled is off\"}' > \"$out\"\n" +
        "  else\n" +
        "    chart=$(jq -r '.chart.chart' \"$state/list.json\")\n" +
        "    version=$(jq -r '.chart.version' \"$state/list.json\")\n" +
        "    if [ \"$(helm status \"$name\" --namespace \"$namespace\" -o json 2>/dev/null | jq -r '.info.status' 2>/dev/null || true)\" != deployed ] &&\n" +
        "       ! err=$(helm upgrade --install \"$name\" \"$chart\" --repo \"$(jq -r '.chart.repository' \"$state/list.json\")\" --version \"$version\" " +
            "--namespace \"$namespace\" --create-namespace --wait --timeout 10m 2>&1); then\n" +
        "      jq -n --arg m \"$chart-$version: $(printf '%s' \"$err\" | tail -n 1)\" '{status: \"Failed\", message: $m}' > \"$out\"\n" +
        "    elif kubectl get secret \"$(item kubeconfigSecret)\" --namespace \"$namespace\" -o 'jsonpath={.data.config}' | base64 -d > \"$state/$name.kubeconfig\" " +
            "&& [ -s \"$state/$name.kubeconfig\" ]; then\n" +
        "      jq -n --rawfile k \"$state/$name.kubeconfig\" '{status: \"Running\", kubeconfig: $k}' > \"$out\"\n" +
        "    else\n" +
        "      jq -n '{status: \"Pending\", message: \"waiting for vcluster to write its kubeconfig secret\"}' > \"$out\"\n" +
        "    fi\n" +
        "  fi\n" +
        "  report \"$name\" \"$(item report)\" \"$out\" || echo \"palette: could not report virtual cluster $name\" >&2\n" +
        "  i=$((i + 1))\n" +
        "done\n";
}
