/* paths.h - the fixed places root2ram reads and writes, named once. */
#ifndef R2R_PATHS_H
#define R2R_PATHS_H

/* in the NFS root (and in an export on the server) */
#define R2R_ETC "/etc/root2ram"
#define R2R_CONF_FILE R2R_ETC "/root2ram.conf"
#define R2R_MANIFEST_DIR R2R_ETC "/manifests"
#define R2R_OVERLAY_DIR R2R_ETC "/overlay"

/* in the RAM root: what PID 1 recorded of the boot */
#define R2R_RUN_DIR "/run/root2ram"
#define R2R_RUN_NFSROOT R2R_RUN_DIR "/nfsroot"
#define R2R_RUN_SUMMARY R2R_RUN_DIR "/summary"
#define R2R_RUN_TIMINGS R2R_RUN_DIR "/timings"
#define R2R_RUN_OPTIONS R2R_RUN_DIR "/options" /* the boot options rcS uses */
#define R2R_RUN_MODULES R2R_RUN_DIR "/modules" /* the modules rcS loads, a name a line */
#define R2R_RUN_STAGED R2R_RUN_DIR "/staged"   /* what was staged: root2ram diff */
#define R2R_RUN_NFS R2R_RUN_DIR "/nfs"         /* where diff, refresh, save mount the NFS root */

/* where the NFS root is, after the switch */
#define R2R_OLD_ROOT "/old_root"
/* in the new tmpfs while it is staged: the NFS root mounted again for the copy */
#define R2R_STAGE_SOURCE "/.root2ram-source"

#endif
