"""nova-compute on Nova's fake hypervisor, with snapshots that end in an active image.

Nova's own fake driver accepts a snapshot and writes nothing, so the image that nova-api made
in Glance stays queued forever. A real hypervisor uploads the disk; this driver uploads a
small blank one, so that createImage runs its whole course: queued, saving, active.

Nova loads compute drivers only from its own nova.virt package, so the driver is registered
there (as nova.virt.whiskpool_fake) before nova-compute's usual entry point runs.
Usage: fake_compute.py --config-file nova.conf [--log-file FILE]
"""
import io
import sys

# nova.cmd patches the standard library for eventlet; it must come before anything else.
import nova.cmd  # noqa: F401
from nova.image import glance
from nova.virt import fake

SNAPSHOT_BYTES = 64 * 1024


class SnapshottingFakeDriver(fake.FakeDriver):
    def snapshot(self, context, instance, image_id, update_task_state):
        super().snapshot(context, instance, image_id, update_task_state)
        disk = io.BytesIO(bytes(SNAPSHOT_BYTES))
        glance.API().update(context, image_id,
                            {'disk_format': 'raw', 'container_format': 'bare'},
                            data=disk, purge_props=False)


sys.modules['nova.virt.whiskpool_fake'] = sys.modules[__name__]

if __name__ == '__main__':
    from nova.cmd.compute import main
    sys.exit(main())
