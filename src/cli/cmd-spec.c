/* placeholder: replaced by its owner */
typedef int urun_placeholder_cmd_spec;
