"""static_archive: one self-contained .a of the project's own objects.

A cc_library's archive holds only its own sources. This rule collects the PIC
archives of every library the deps link (those of this workspace only; system
libraries such as liblzma and TBB stay outside, the user links them) and
merges them with `ar -M` into one archive that can be linked into a PIE
executable or a shared library.
"""

def _static_archive_impl(ctx):
    archives = []
    seen = {}
    for dep in ctx.attr.deps:
        for linker_input in dep[CcInfo].linking_context.linker_inputs.to_list():
            for lib in linker_input.libraries:
                a = lib.pic_static_library or lib.static_library
                if a == None or a.owner.workspace_name != "":
                    continue
                if a.path not in seen:
                    seen[a.path] = True
                    archives.append(a)
    if not archives:
        fail("no archives found in deps")
    out = ctx.outputs.out
    script = "CREATE {}\n".format(out.path)
    for a in archives:
        script += "ADDLIB {}\n".format(a.path)
    script += "SAVE\nEND\n"
    ctx.actions.run_shell(
        inputs = archives,
        outputs = [out],
        command = "printf '%s' \"$1\" | ar -M && ranlib \"$2\"",
        arguments = [script, out.path],
        mnemonic = "StaticArchive",
        progress_message = "Merging archives into %s" % out.short_path,
        use_default_shell_env = True,
    )
    return [DefaultInfo(
        files = depset([out]),
        runfiles = ctx.runfiles(files = [out]),
    )]

static_archive = rule(
    implementation = _static_archive_impl,
    attrs = {
        "deps": attr.label_list(providers = [CcInfo]),
        "out": attr.output(mandatory = True),
    },
)
