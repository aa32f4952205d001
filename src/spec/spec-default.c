/* The configuration `runscope spec` writes: `runc spec`'s, field by field (a terminal included: the
 * scripts written for runc run it with --console-socket or from a terminal), but for the hostname, the
 * ociVersion (runc's says "-dev") and a cgroup namespace, as crun's: the container sees its scope as
 * its cgroup root. Never touches the filesystem. */
#include <string.h>

#include "spec.h"
#include "spec-internal.h"

static const char default_json[] =
        "{\n"
        "\t\"ociVersion\": \"1.0.2\",\n"
        "\t\"process\": {\n"
        "\t\t\"terminal\": true,\n"
        "\t\t\"user\": { \"uid\": 0, \"gid\": 0 },\n"
        "\t\t\"args\": [ \"sh\" ],\n"
        "\t\t\"env\": [\n"
        "\t\t\t\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"
        "\t\t\t\"TERM=xterm\"\n"
        "\t\t],\n"
        "\t\t\"cwd\": \"/\",\n"
        "\t\t\"capabilities\": {\n"
        "\t\t\t\"bounding\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],\n"
        "\t\t\t\"effective\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],\n"
        "\t\t\t\"permitted\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],\n"
        "\t\t\t\"ambient\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ]\n"
        "\t\t},\n"
        "\t\t\"rlimits\": [ { \"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024 } ],\n"
        "\t\t\"noNewPrivileges\": true\n"
        "\t},\n"
        "\t\"root\": { \"path\": \"rootfs\", \"readonly\": true },\n"
        "\t\"hostname\": \"runscope\",\n"
        "\t\"mounts\": [\n"
        "\t\t{ \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" },\n"
        "\t\t{ \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n"
        "\t\t  \"options\": [ \"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\" ] },\n"
        "\t\t{ \"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\",\n"
        "\t\t  \"options\": [ \"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\", \"gid=5\" ] },\n"
        "\t\t{ \"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\",\n"
        "\t\t  \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\" ] },\n"
        "\t\t{ \"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\",\n"
        "\t\t  \"options\": [ \"nosuid\", \"noexec\", \"nodev\" ] },\n"
        "\t\t{ \"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\",\n"
        "\t\t  \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"ro\" ] },\n"
        "\t\t{ \"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\",\n"
        "\t\t  \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\" ] }\n"
        "\t],\n"
        "\t\"linux\": {\n"
        "\t\t\"resources\": { \"devices\": [ { \"allow\": false, \"access\": \"rwm\" } ] },\n"
        "\t\t\"namespaces\": [\n"
        "\t\t\t{ \"type\": \"pid\" }, { \"type\": \"network\" }, { \"type\": \"ipc\" },\n"
        "\t\t\t{ \"type\": \"uts\" }, { \"type\": \"mount\" }, { \"type\": \"cgroup\" }\n"
        "\t\t],\n"
        "\t\t\"maskedPaths\": [\n"
        "\t\t\t\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\", \"/proc/latency_stats\",\n"
        "\t\t\t\"/proc/timer_list\", \"/proc/timer_stats\", \"/proc/sched_debug\", \"/sys/firmware\",\n"
        "\t\t\t\"/proc/scsi\"\n"
        "\t\t],\n"
        "\t\t\"readonlyPaths\": [\n"
        "\t\t\t\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", \"/proc/sysrq-trigger\"\n"
        "\t\t]\n"
        "\t}\n"
        "}\n";

char *spec_default_json(void) {
        return strdup(default_json);
}

cJSON *spec_default_tree(void) {
        return cJSON_Parse(default_json);
}
