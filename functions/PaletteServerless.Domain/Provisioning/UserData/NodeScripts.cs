using System.Text;
using PaletteServerless.Domain.Profiles;

namespace PaletteServerless.Domain.Provisioning;

/// <summary>
/// The shell scripts a node runs. Each takes every product value from <see cref="NodeEnv"/> (sourced,
/// used quoted), so the text of a script is the same for every cluster: only catalog constants
/// (chart coordinates, manifest URLs, pack names and versions) and the product's own paths appear in it.
/// A pack's name and version come from its profile, but profile validation admits only the catalog's
/// (a DNS label, a version the catalog lists), so they are the catalog's text; every value a user or a
/// tenant chooses (names, tenant, pack values, labels, taints) reaches the node as data in files.
/// </summary>
internal static class NodeScripts
{
    // A node without a name in node.env is named by its host, as kubeadm names it by default.
    private const string Source = ". " + NodeEnv.Path + "\n: \"${" + NodeEnv.NodeName + ":=$(hostname)}\"\n";

    /// <summary>Gets an IMDSv2 session token and the instance id (every script that needs the instance's identity).</summary>
    private const string Imds =
        "imds=http://169.254.169.254/latest\n" +
        "imds_token=$(curl -fsS -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' \"$imds/api/token\")\n" +
        "instance=$(curl -fsS -H \"X-aws-ec2-metadata-token: $imds_token\" \"$imds/meta-data/instance-id\")\n";

    /// <summary>
    /// Reads the node's secrets from its cluster's parameters (the AWS CLI takes the instance profile's
    /// credentials from IMDSv2), and the instance's zone and id, and writes kubeadm's configuration with
    /// them; the first control plane also gets the CA where kubeadm init expects it. A secret it cannot
    /// read ends the boot with the Failed phase naming the parameter.
    /// </summary>
    public static string Secrets(InstancePlan instance)
    {
        var controlPlane = instance.Role == Clusters.NodePoolRoles.ControlPlane;
        var script = new StringBuilder();
        script.Append("#!/bin/sh\n");
        script.Append("# Fetches this node's cluster secrets from SSM Parameter Store; nothing secret is in the user data.\n");
        script.Append("set -eu\n");
        script.Append("umask 077\n");
        script.Append(Source);
        script.Append($"fail() {{\n  echo \"palette: $1\" >&2\n  {UserData.PhaseScriptPath} {NodePhases.Failed} \"$1\" || true\n  exit 1\n}}\n");
        script.Append("get() {\n");
        script.Append("  aws ssm get-parameter --region \"$PALETTE_REGION\" --with-decryption --name \"$PALETTE_SECRETS_PATH/$1\" --query Parameter.Value --output text\n");
        script.Append("}\n");
        script.Append($"token=$(get {SecretParameters.JoinToken}) || fail \"could not read the parameter $PALETTE_SECRETS_PATH/{SecretParameters.JoinToken}\"\n");
        script.Append(controlPlane
            ? $"key=$(get {SecretParameters.CertificateKey}) || fail \"could not read the parameter $PALETTE_SECRETS_PATH/{SecretParameters.CertificateKey}\"\n"
            : "key=''\n");
        script.Append(Imds);
        script.Append("zone=$(curl -fsS -H \"X-aws-ec2-metadata-token: $imds_token\" \"$imds/meta-data/placement/availability-zone\")\n");
        script.Append($"sed -e \"s/{KubeadmConfig.JoinTokenPlaceholder}/$token/\" -e \"s/{KubeadmConfig.CertificateKeyPlaceholder}/$key/\" " +
            $"-e \"s|{KubeadmConfig.ProviderIdPlaceholder}|aws:///$zone/$instance|\" {UserData.KubeadmConfigTemplatePath} > {UserData.KubeadmConfigPath}\n");
        if (instance.IsFirstControlPlane)
        {
            script.Append("mkdir -p /etc/kubernetes/pki\n");
            script.Append($"get {SecretParameters.CertificateAuthority} > /etc/palette/ca.pem || fail \"could not read the parameter $PALETTE_SECRETS_PATH/{SecretParameters.CertificateAuthority}\"\n");
            script.Append("sed -n '/BEGIN CERTIFICATE/,/END CERTIFICATE/p' /etc/palette/ca.pem > /etc/kubernetes/pki/ca.crt\n");
            script.Append("sed -n '/BEGIN PRIVATE KEY/,/END PRIVATE KEY/p' /etc/palette/ca.pem > /etc/kubernetes/pki/ca.key\n");
            script.Append("chmod 644 /etc/kubernetes/pki/ca.crt\n");
            script.Append("rm -f /etc/palette/ca.pem\n");
        }
        return script.ToString();
    }

    /// <summary>
    /// Reports the node's phase (<see cref="NodePhases"/>) by tagging its own instance (id from IMDSv2), with
    /// the instance profile's credentials, whose policy lets a node tag only the instance it runs on. A
    /// second argument is the message: made one line of the characters EC2 takes in a tag value (which also
    /// keeps the AWS CLI's shorthand syntax from splitting it at a comma), at most EC2's 256. With the phase goes the
    /// Kubernetes version the installed kubelet says it is (none before it is installed).
    /// </summary>
    public static string Phase() =>
        "#!/bin/sh\n" +
        "# Tags this node's own instance with how far it got (and, on a failure, what failed), and the Kubernetes version it runs.\n" +
        "set -eu\n" +
        Source +
        Imds +
        "kubelet_version=$(kubelet --version 2>/dev/null | sed -n 's/^Kubernetes v//p' || true)\n" +
        $"level=$(cat {OsPatchAgent.StateDirectory}/level 2>/dev/null || true)\n" +
        "if [ $# -gt 1 ]; then\n" +
        "  message=$(printf '%s' \"$2\" | tr -c 'A-Za-z0-9 +=._:/@-' ' ' | cut -c 1-256)\n" +
        "  aws ec2 create-tags --region \"$PALETTE_REGION\" --resources \"$instance\" --tags \"Key=$PALETTE_PHASE_TAG,Value=$1\" \"Key=$PALETTE_MESSAGE_TAG,Value=$message\" ${kubelet_version:+\"Key=$PALETTE_VERSION_TAG,Value=$kubelet_version\"} ${level:+\"Key=$PALETTE_OS_PATCH_LEVEL_TAG,Value=$level\"}\n" +
        "else\n" +
        "  aws ec2 create-tags --region \"$PALETTE_REGION\" --resources \"$instance\" --tags \"Key=$PALETTE_PHASE_TAG,Value=$1\" ${kubelet_version:+\"Key=$PALETTE_VERSION_TAG,Value=$kubelet_version\"} ${level:+\"Key=$PALETTE_OS_PATCH_LEVEL_TAG,Value=$level\"}\n" +
        "fi\n";

    /// <summary>
    /// "Ready means usable": checks that the image runs the OS pack's release, then waits (bounded) until the kubelet reports the node Ready, the cloud controller
    /// manager has initialized it (no <c>uninitialized</c> taint), the CNI's agent pod on it is ready, and
    /// the cluster DNS answers for <c>kubernetes.default.svc</c> from it. The first check that does not pass
    /// in time ends it with the Failed phase, naming the check and what the cluster says about it. The
    /// kubeconfig is the first argument (the kubelet's own by default, which may read its node and its pods).
    /// </summary>
    public static string NodeCheck()
    {
        var script = new StringBuilder();
        script.Append("#!/bin/sh\n");
        script.Append("# Reports nothing itself: it fails (phase Failed, with the reason) unless this node can run pods that work.\n");
        script.Append("set -eu\n");
        script.Append(Source);
        script.Append("kubeconfig=${1:-/etc/kubernetes/kubelet.conf}\n");
        script.Append($"deadline=$(( $(date +%s) + {NodeCheckSeconds} ))\n");
        script.Append("kc() {\n  kubectl --kubeconfig \"$kubeconfig\" \"$@\"\n}\n");
        script.Append($"fail() {{\n  echo \"palette: node $PALETTE_NODE_NAME is not usable: $1\" >&2\n  {UserData.PhaseScriptPath} {NodePhases.Failed} \"$1\" || true\n  exit 1\n}}\n");
        script.Append("# Each condition may take minutes to come true after boot: poll until it does or the deadline passes.\n");
        script.Append("within() {\n  while ! \"$@\" >/dev/null 2>&1; do\n    [ \"$(date +%s)\" -lt \"$deadline\" ] || return 1\n    sleep 5\n  done\n}\n");
        script.Append("node_ready() {\n  [ \"$(kc get node \"$PALETTE_NODE_NAME\" -o 'jsonpath={.status.conditions[?(@.type==\"Ready\")].status}')\" = True ]\n}\n");
        script.Append("initialized() {\n  taints=$(kc get node \"$PALETTE_NODE_NAME\" -o 'jsonpath={.spec.taints[*].key}') || return 1\n" +
            "  case \" $taints \" in\n    *' node.cloudprovider.kubernetes.io/uninitialized '*) return 1 ;;\n  esac\n}\n");
        script.Append("agent_ready() {\n  [ \"$(kc -n kube-system get pods -l \"$agent\" --field-selector \"spec.nodeName=$PALETTE_NODE_NAME\" -o 'jsonpath={.items[*].status.conditions[?(@.type==\"Ready\")].status}')\" = True ]\n}\n");
        script.Append("dns() {\n  dig +short +time=2 +tries=1 \"@$PALETTE_CLUSTER_DNS\" kubernetes.default.svc.cluster.local | grep -q .\n}\n");
        script.Append("case \"$PALETTE_CNI\" in\n");
        foreach (var (cni, selector) in PackCatalog.NetworkAgentSelectors)
            script.Append($"  {cni}) agent={selector} ;;\n");
        script.Append("  *) fail \"no agent pod is known for the network pack $PALETTE_CNI\" ;;\nesac\n");
        // The image must be the OS pack's release: packages, kernel modules and containerd differ between them.
        script.Append("os=$(. /etc/os-release && echo \"$VERSION_ID ($VERSION_CODENAME)\")\n");
        script.Append("case \"$os\" in\n  \"$PALETTE_OS_VERSION \"*) ;;\n  *) fail \"the image runs Ubuntu $os, the cluster's OS pack is $PALETTE_OS_VERSION\" ;;\nesac\n");
        script.Append("within node_ready || fail \"the kubelet does not report the node Ready: " +
            "$(kc get node \"$PALETTE_NODE_NAME\" -o 'jsonpath={.status.conditions[?(@.type==\"Ready\")].message}' 2>&1 || true)\"\n");
        script.Append("within initialized || fail \"the cloud controller manager did not initialize the node (taint node.cloudprovider.kubernetes.io/uninitialized remains)\"\n");
        script.Append("within agent_ready || fail \"the $PALETTE_CNI agent pod ($agent) on this node is not ready: " +
            "$(kc -n kube-system get pods -l \"$agent\" --field-selector \"spec.nodeName=$PALETTE_NODE_NAME\" -o 'jsonpath={.items[*].status.conditions[?(@.type==\"Ready\")].message}' 2>&1 || true)\"\n");
        script.Append("within dns || fail \"kubernetes.default.svc.cluster.local does not resolve through the cluster DNS $PALETTE_CLUSTER_DNS\"\n");
        return script.ToString();
    }

    /// <summary>
    /// How long the node check waits, in all, for its conditions to come true: once joined, they take a minute
    /// or two; the bound keeps the node's own report (with its reason) ahead of the product's startup timeout
    /// (10 minutes by default, from launch), which could only say that the node never became ready.
    /// </summary>
    public const int NodeCheckSeconds = 300;

    /// <summary>
    /// Installs, after kubeadm init and in this order: the packs every profile implies (the cloud controller
    /// manager: without it no node is initialized), the CNI, then (the node check passed) reports Ready, then
    /// the CSI and addon packs, each as the catalog says, and reports PacksApplied. The first failure reports
    /// PacksFailed with the pack named (<c>|| fail NAME-VERSION</c>), says so on stderr and exits non-zero.
    /// </summary>
    public static string Packs(ClusterProfile profile, IReadOnlyDictionary<string, string> packValues)
    {
        var script = new StringBuilder();
        script.Append("#!/bin/sh\n");
        script.Append("# Installs the cloud controller manager, then the profile's network, storage and addon packs; stops at the first failure, naming the pack.\n");
        script.Append("set -eu\n");
        script.Append(Source);
        script.Append("export KUBECONFIG=/etc/kubernetes/admin.conf\n");
        script.Append($"fail() {{\n  echo \"palette: pack $1 failed to install\" >&2\n  {UserData.PhaseScriptPath} {NodePhases.PacksFailed} \"$1\" || true\n  exit 1\n}}\n");
        var packs = UserData.InstalledPacks(profile);
        if (packs.Any(p => p.Catalog?.Install is HelmChartInstall))
            script.Append("command -v helm >/dev/null || snap install helm --classic || fail helm\n");
        foreach (var (name, version, layer, catalog) in packs)
        {
            var failName = $"{name}-{version}";
            switch (catalog?.Install)
            {
                case ManifestInstall manifest when name == "calico":
                    script.Append(CalicoManifest.InstallCommand(manifest.Url, packValues.GetValueOrDefault(name), failName)).Append('\n');
                    break;
                case ManifestInstall manifest:
                    script.Append($"kubectl apply -f '{manifest.Url}' || fail {failName}\n");
                    break;
                case HelmChartInstall chart:
                    script.Append($"helm upgrade --install '{name}' '{chart.Chart}' --repo '{chart.Repository}' --version '{chart.ChartVersion}' " +
                        $"--namespace '{chart.Namespace}' --create-namespace --values '{UserData.PackValuesPath(name)}' --wait --timeout 10m || fail {failName}\n");
                    break;
                default:
                    // Profile validation admits only catalog packs; one without an install is a defect, said loudly.
                    script.Append($"fail {failName}\n");
                    break;
            }
            if (layer == PackLayers.Network)
            {
                script.Append($"{UserData.NodeCheckScriptPath} /etc/kubernetes/admin.conf\n");
                script.Append($"{UserData.PhaseScriptPath} {NodePhases.Ready}\n");
            }
        }
        script.Append($"{UserData.PhaseScriptPath} {NodePhases.PacksApplied}\n");
        return script.ToString();
    }

    /// <summary>
    /// A joining control plane of a newer Kubernetes than the cluster's (a rolling upgrade, control planes first):
    /// <c>kubeadm join</c> set up this node's control plane at the cluster's recorded version (the kubeadm-config
    /// ConfigMap's <c>kubernetesVersion</c>); <c>kubeadm upgrade apply</c> moves the cluster's configuration, its
    /// addons (kube-proxy, CoreDNS) and this node's control plane to this node's version, as Cluster API's control
    /// plane does before it adds a machine of a new version. The next control planes join at that version, and
    /// workers join only after the control-plane pool has rolled. Nothing happens when the cluster is as new.
    /// </summary>
    public static string Upgrade() =>
        "#!/bin/sh\n" +
        "# Moves the cluster's control plane to this node's Kubernetes version when it is newer than the cluster's.\n" +
        "set -eu\n" +
        Source +
        $"fail() {{\n  echo \"palette: $1\" >&2\n  {UserData.PhaseScriptPath} {NodePhases.Failed} \"$1\" || true\n  exit 1\n}}\n" +
        "current=$(kubectl --kubeconfig /etc/kubernetes/admin.conf -n kube-system get configmap kubeadm-config -o 'jsonpath={.data.ClusterConfiguration}' | sed -n 's/^kubernetesVersion: v//p')\n" +
        "[ -n \"$current\" ] || fail \"the cluster's kubeadm-config names no kubernetesVersion\"\n" +
        "newest=$(printf '%s\\n%s\\n' \"$current\" \"$PALETTE_KUBERNETES_VERSION\" | sort -V | tail -n 1)\n" +
        "[ \"$newest\" != \"$current\" ] || exit 0\n" +
        $"kubeadm upgrade apply --yes \"v$PALETTE_KUBERNETES_VERSION\" >>{UserData.KubeadmLogPath} 2>&1 || fail \"kubeadm upgrade apply v$PALETTE_KUBERNETES_VERSION failed (cluster at $current): $(grep -m 1 -i error {UserData.KubeadmLogPath} || tail -n 1 {UserData.KubeadmLogPath})\"\n";

    /// <summary>
    /// Keeps joins working past the first token's 24 h: a new token (valid 24 h) replaces the
    /// parameter every 12 h, and the control-plane certificates are uploaded again under the same
    /// certificate key (kubeadm deletes the uploaded ones after 2 h).
    /// </summary>
    public static string Refresh() =>
        "#!/bin/sh\n" +
        "# Replaces the cluster's join token parameter with a new token and uploads the control-plane certificates again.\n" +
        "set -eu\n" +
        Source +
        "export KUBECONFIG=/etc/kubernetes/admin.conf\n" +
        "token=$(kubeadm token create --ttl 24h0m0s)\n" +
        $"aws ssm put-parameter --region \"$PALETTE_REGION\" --name \"$PALETTE_SECRETS_PATH/{SecretParameters.JoinToken}\" --type SecureString --key-id '{SecretParameters.KmsKeyAlias}' --overwrite --value \"$token\" >/dev/null\n" +
        $"key=$(aws ssm get-parameter --region \"$PALETTE_REGION\" --with-decryption --name \"$PALETTE_SECRETS_PATH/{SecretParameters.CertificateKey}\" --query Parameter.Value --output text)\n" +
        "kubeadm init phase upload-certs --upload-certs --certificate-key \"$key\" >/dev/null\n";
}
