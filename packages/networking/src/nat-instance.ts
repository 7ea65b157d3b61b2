/**
 * The Amazon Linux 2023 arm64 AMI, resolved by EC2 itself from the public SSM parameter when an
 * instance launches from the launch template: no invoke, and a new AMI release does not replace
 * a running NAT instance.
 */
export const NAT_INSTANCE_AMI =
  "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64";

/** The default NAT instance type: the smallest Graviton burstable instance. */
export const NAT_INSTANCE_TYPE = "t4g.nano";

/** Instance types with a Graviton (arm64) processor, which the arm64 AMI needs: `t4g.nano`, `c7gn.medium`… */
export const ARM_INSTANCE_TYPE = /^[a-z]+\d+g[a-z]*\.(nano|micro|small|medium|large|\d*xlarge|metal)$/;

/**
 * The user data of a NAT instance: turns on IPv4 forwarding and masquerades traffic from the VPC
 * block out of the instance's default interface with nftables; both survive reboots.
 */
export function natInstanceUserData(vpcCidr: string): string {
  return `#!/bin/bash
# Berth NAT instance: forwards traffic from ${vpcCidr} to the internet and masquerades it.
set -euo pipefail

cat > /etc/sysctl.d/90-berth-nat.conf <<'SYSCTL'
net.ipv4.ip_forward = 1
net.ipv4.conf.all.send_redirects = 0
net.ipv4.conf.default.send_redirects = 0
SYSCTL
sysctl --system

for attempt in $(seq 1 20); do
  dnf install -y nftables && break
  echo "nftables install attempt $attempt failed; retrying" >&2
  sleep 15
done

IFACE="$(ip -o -4 route show to default | awk '{print $5; exit}')"
cat > /etc/nftables/berth-nat.nft <<NFT
table ip berth_nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr ${vpcCidr} oifname "$IFACE" masquerade
  }
}
NFT
grep -q berth-nat.nft /etc/sysconfig/nftables.conf || echo 'include "/etc/nftables/berth-nat.nft"' >> /etc/sysconfig/nftables.conf
systemctl enable nftables
systemctl restart nftables
`;
}
