adaptlab_component(method NAMES tome SOURCES tome.cpp tome_op.cpp tome_ops.cpp schedule.cpp)
