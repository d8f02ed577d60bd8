#!/bin/bash
# Winnow edge agent: prepare a Raspberry Pi (Raspberry Pi OS 64-bit, Bookworm) for the agent.
# Run as root:  sudo ./setup-pi.sh /path/to/winnow-agent.jar [/path/to/agent.yaml] [--time-server HOST]
# --time-server: the NTP server on the mill's network (the control server's host, say). A Pi has no battery-backed
# clock; without a time server it runs on the time it last saved, and everything it reports is filed at that time.
set -euo pipefail
USAGE="usage: setup-pi.sh winnow-agent.jar [agent.yaml] [--time-server HOST]"
TIME_SERVER=
ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --time-server) TIME_SERVER=${2:?--time-server needs a host name or address; $USAGE}; shift 2 ;;
    --time-server=*) TIME_SERVER=${1#*=}; shift ;;
    -*) echo "unknown option $1; $USAGE"; exit 2 ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
JAR=${ARGS[0]:?$USAGE}
CONFIG=${ARGS[1]:-}
[ "$(id -u)" = 0 ] || { echo "run as root (sudo)"; exit 1; }
[ "$(uname -m)" = aarch64 ] || { echo "needs the 64-bit OS (ONNX Runtime has no 32-bit ARM build); uname -m = $(uname -m)"; exit 1; }
grep -qi 'raspberry pi' /proc/device-tree/model 2>/dev/null || echo "warning: this is not a Raspberry Pi"

apt-get update
apt-get install -y openjdk-17-jre-headless v4l-utils libcamera-apps systemd
# Dedicated user, in the groups that own GPIO, cameras and I2C.
id winnow >/dev/null 2>&1 || useradd --system --home /opt/winnow --shell /usr/sbin/nologin winnow
usermod -aG gpio,video,i2c winnow
# The camera interface and I2C (valve expanders).
raspi-config nonint do_i2c 0 || true
grep -q '^camera_auto_detect=1' /boot/firmware/config.txt 2>/dev/null || echo 'camera_auto_detect=1' >> /boot/firmware/config.txt
# /dev/gpiomem access for the gpio group (Pi4J's GpioD/FFM providers).
cat > /etc/udev/rules.d/60-winnow-gpio.rules <<'RULES'
SUBSYSTEM=="gpio", KERNEL=="gpiochip*", GROUP="gpio", MODE="0660"
KERNEL=="gpiomem", GROUP="gpio", MODE="0660"
RULES
udevadm control --reload-rules && udevadm trigger
# Time: systemd-timesyncd (Raspberry Pi OS's own), from the given server or the OS's default pool.
if [ -n "$TIME_SERVER" ]; then
  install -d /etc/systemd/timesyncd.conf.d
  printf '[Time]\nNTP=%s\n' "$TIME_SERVER" > /etc/systemd/timesyncd.conf.d/winnow.conf
fi
timedatectl set-ntp true
systemctl restart systemd-timesyncd || echo "warning: systemd-timesyncd did not restart; check the clock with timedatectl"

install -d -o winnow -g winnow /opt/winnow /opt/winnow/models /var/lib/winnow
install -m 0644 "$JAR" /opt/winnow/winnow-agent.jar
if [ -d "$(dirname "$JAR")/lib" ]; then cp -r "$(dirname "$JAR")/lib" /opt/winnow/; fi
install -d /etc/winnow
if [ -n "$CONFIG" ]; then install -m 0640 -g winnow "$CONFIG" /etc/winnow/agent.yaml
elif [ ! -f /etc/winnow/agent.yaml ]; then install -m 0640 -g winnow "$(dirname "$0")/agent.yaml" /etc/winnow/agent.yaml; fi
install -m 0644 "$(dirname "$0")/winnow-agent.service" /etc/systemd/system/winnow-agent.service
sudo -u winnow java -jar /opt/winnow/winnow-agent.jar run --config /etc/winnow/agent.yaml --check
systemctl daemon-reload
systemctl enable --now winnow-agent
echo "winnow-agent installed: journalctl -u winnow-agent -f"
