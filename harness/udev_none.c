// SPDX-License-Identifier: GPL-2.0
/*
 * udev_none.c - linked into the static build only.  The static libhwloc
 * refers to libudev, which has no static library; with udev_new()
 * returning NULL hwloc goes without udev (it asks udev only for the
 * properties of block and network devices, which snapbench never reads),
 * so the topology code is the same in both builds.  The functions other
 * than udev_new() are never called then.
 */
#include <stddef.h>

struct udev;
struct udev_device;

struct udev *udev_new(void)
{
	return NULL;
}

struct udev *udev_unref(struct udev *udev)
{
	return NULL;
}

struct udev_device *udev_device_new_from_subsystem_sysname(struct udev *udev,
							   const char *subsystem,
							   const char *sysname)
{
	return NULL;
}

const char *udev_device_get_property_value(struct udev_device *dev, const char *key)
{
	return NULL;
}

struct udev_device *udev_device_unref(struct udev_device *dev)
{
	return NULL;
}
