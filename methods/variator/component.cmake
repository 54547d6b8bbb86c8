adaptlab_component(method NAMES variator SOURCES variator.cpp)
