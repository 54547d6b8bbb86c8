adaptlab_component(method NAMES adapter SOURCES adapter.cpp)
