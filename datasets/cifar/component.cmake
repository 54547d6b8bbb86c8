adaptlab_component(dataset NAMES cifar SOURCES cifar.cpp)
