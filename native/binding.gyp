# The project's two Node addons, built by `npm run setup:native` with node-gyp (offline: Node's own
# headers, --nodedir) after it has installed tfjs-node:
# - attend_caption_ops: the fused TensorFlow kernels, linked against tfjs-node's libtensorflow_framework
#   (its folder passed as -Dtf_lib_dir=…, required), found at run time beside tfjs-node through $ORIGIN;
# - quiet_stderr: keeps libtensorflow's start-up lines off stderr while it loads.
{
  "targets": [
    {
      "target_name": "attend_caption_ops",
      "sources": ["attend-caption-ops.cc"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O3", "-fopenmp-simd", "-fno-math-errno", "-pthread", "-fexceptions"],
      "libraries": [
        "-L<(tf_lib_dir)",
        "-l:libtensorflow_framework.so.2",
        "-Wl,-rpath,'$$ORIGIN/../@tensorflow/tfjs-node/deps/lib'"
      ]
    },
    {
      "target_name": "quiet_stderr",
      "sources": ["quiet-stderr.cc"],
      "cflags_cc!": ["-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O2"]
    }
  ]
}
