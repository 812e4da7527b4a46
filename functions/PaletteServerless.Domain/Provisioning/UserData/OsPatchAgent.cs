using PaletteServerless.Domain.Patching;

namespace PaletteServerless.Domain.Provisioning;

/// <summary>
/// The OS patch agent every node runs: a systemd timer that runs <see cref="ScriptPath"/> every
/// <see cref="IntervalSeconds"/> seconds. It reads the cluster's patch request (<see cref="OsPatchRequest"/>, the
/// parameter named in <see cref="NodeEnv.OsPatchRequest"/>) with the node's instance profile; when its own instance
/// is listed for a run it has not applied, it applies the pending security updates (<c>unattended-upgrade</c>, which
/// installs from the release's security pocket only). When an update needs a reboot (<c>/var/run/reboot-required</c>),
/// it drains its node first (a control plane, with the admin credentials it holds; a worker's kubelet ends its pods
/// by graceful node shutdown), reboots, and after the reboot, once the kubelet reports the node Ready again,
/// uncordons it and reports. It reports by tagging its own instance: <see cref="OsPatchReport.TagKey"/> with
/// <c>RUN patched N security updates[ and rebooted]</c> or <c>RUN failed: why</c>, and <see cref="OsPatchReport.LevelTagKey"/>
/// with when it last applied every security update.
/// </summary>
public static class OsPatchAgent
{
    public const string ScriptPath = "/usr/local/sbin/palette-os-patch";
    public const string TimerName = "palette-os-patch.timer";
    public const string ServicePath = "/etc/systemd/system/palette-os-patch.service";
    public const string TimerPath = "/etc/systemd/system/" + TimerName;
    public const string StateDirectory = "/var/lib/palette/os-patch";

    /// <summary>How often the agent reads the request (what the patch workflow's poll waits, at least).</summary>
    public const int IntervalSeconds = 60;

    public const string Service =
        "[Unit]\nDescription=Apply the OS security updates when the cluster's patch request names this node\nAfter=kubelet.service\n\n" +
        "[Service]\nType=oneshot\nExecStart=" + ScriptPath + "\n";

    public static readonly string Timer =
        "[Unit]\nDescription=Read the cluster's OS patch request\n\n" +
        $"[Timer]\nOnBootSec=30s\nOnUnitActiveSec={IntervalSeconds}s\n\n[Install]\nWantedBy=timers.target\n";

    /// <summary>
    /// The runcmd line that applies the security updates at boot, before kubeadm (settings.osPatchOnBoot), and records
    /// the level the phase reports carry; on a failure it runs <paramref name="onFailure"/> (the Failed phase, then exit).
    /// </summary>
    public static string OnBootCommand(string onFailure) =>
        $"if mkdir -p {StateDirectory} && apt-get update -q && DEBIAN_FRONTEND=noninteractive unattended-upgrade; " +
        $"then date -u +%Y-%m-%dT%H:%MZ > {StateDirectory}/level; else {onFailure}; exit 1; fi";

    /// <summary>The agent's script (POSIX sh; jq reads the request).</summary>
    public static string Script() =>
        "#!/bin/sh\n" +
        "# The OS patch agent: applies the security updates when the cluster's patch request names this instance.\n" +
        "set -eu\n" +
        ". " + NodeEnv.Path + "\n" +
        $"state={StateDirectory}\n" +
        "mkdir -p \"$state\"\n" +
        "node=${PALETTE_NODE_NAME:-$(hostname)}\n" +
        "admin=/etc/kubernetes/admin.conf\n" +
        "imds=http://169.254.169.254/latest\n" +
        "imds_token=$(curl -fsS -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' \"$imds/api/token\")\n" +
        "instance=$(curl -fsS -H \"X-aws-ec2-metadata-token: $imds_token\" \"$imds/meta-data/instance-id\")\n" +
        "report() {\n" +
        "  detail=$(printf '%s' \"$2\" | tr -c 'A-Za-z0-9 +=._:/@-' ' ' | cut -c 1-200)\n" +
        "  level=$(cat \"$state/level\" 2>/dev/null || echo none)\n" +
        "  aws ec2 create-tags --region \"$PALETTE_REGION\" --resources \"$instance\" --tags \"Key=$PALETTE_OS_PATCH_TAG,Value=$1 $detail\" \"Key=$PALETTE_OS_PATCH_LEVEL_TAG,Value=$level\"\n" +
        "}\n" +
        "# Back from a reboot for a run: report it once the kubelet says the node is Ready.\n" +
        "if [ -e \"$state/rebooted\" ]; then\n" +
        "  ready=$(kubectl --kubeconfig /etc/kubernetes/kubelet.conf get node \"$node\" -o 'jsonpath={.status.conditions[?(@.type==\"Ready\")].status}' || true)\n" +
        "  [ \"$ready\" = True ] || exit 0\n" +
        "  [ ! -e \"$admin\" ] || kubectl --kubeconfig \"$admin\" uncordon \"$node\" >/dev/null\n" +
        "  report \"$(cat \"$state/rebooted\")\" \"patched $(cat \"$state/count\") security updates and rebooted\"\n" +
        "  rm -f \"$state/rebooted\"\n" +
        "  exit 0\n" +
        "fi\n" +
        "request=$(aws ssm get-parameter --region \"$PALETTE_REGION\" --name \"$PALETTE_OS_PATCH_REQUEST\" --query Parameter.Value --output text 2>/dev/null) || exit 0\n" +
        "run=$(printf '%s' \"$request\" | jq -r '.run')\n" +
        "printf '%s' \"$request\" | jq -e --arg i \"$instance\" '.instances | index($i)' >/dev/null || exit 0\n" +
        "[ \"$run\" != \"$(cat \"$state/run\" 2>/dev/null || true)\" ] || exit 0\n" +
        "echo \"$run\" > \"$state/run\"\n" +
        "fail() {\n  report \"$run\" \"failed: $1\"\n  exit 1\n}\n" +
        "export DEBIAN_FRONTEND=noninteractive\n" +
        "apt-get update -q >/dev/null 2>&1 || fail 'apt-get update failed'\n" +
        "count=$(apt-get -s dist-upgrade | grep -c '^Inst .*-security' || true)\n" +
        "unattended-upgrade >/dev/null 2>&1 || fail \"unattended-upgrade failed: $(tail -n 1 /var/log/unattended-upgrades/unattended-upgrades.log 2>/dev/null || true)\"\n" +
        "date -u +%Y-%m-%dT%H:%MZ > \"$state/level\"\n" +
        "if [ -e /var/run/reboot-required ]; then\n" +
        "  if [ -e \"$admin\" ]; then\n" +
        "    kubectl --kubeconfig \"$admin\" drain \"$node\" --ignore-daemonsets --delete-emptydir-data --timeout=5m >/dev/null || fail 'the node did not drain within 5 minutes'\n" +
        "  fi\n" +
        "  echo \"$count\" > \"$state/count\"\n" +
        "  echo \"$run\" > \"$state/rebooted\"\n" +
        "  systemctl reboot\n" +
        "  exit 0\n" +
        "fi\n" +
        "report \"$run\" \"patched $count security updates\"\n";
}
