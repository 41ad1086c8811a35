// The window's toolbar: host field, probe method and address family, Trace, Watch, Stop, the
// route selector (when vantage routes are loaded), Pause and the busy mark. Fixed geometry:
// no control's size depends on the trace's or the watch's state, so nothing shifts while tracing.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tracemap.App

ToolBar {
    id: root
    // The window whose actions the controls trigger (Main.qml: startTrace(), watch, table, …).
    required property ApplicationWindow mainWindow
    // The host field's text (Trace and Watch read it; an opened file writes its target here).
    property alias hostText: hostField.editText

    // Keyboard focus to the host field, its text selected (start-up, Ctrl+L).
    function focusHost() {
        hostField.contentItem.forceActiveFocus()
        hostField.contentItem.selectAll()
    }

    padding: 6
    RowLayout {
        anchors.fill: parent
        spacing: 8

        Label { text: qsTr("Host"); Layout.leftMargin: 4 }
        ComboBox {
            id: hostField
            objectName: "hostField"
            editable: true
            focus: true
            model: root.mainWindow.controller.recentHosts
            Layout.fillWidth: true
            Layout.minimumWidth: 220
            Component.onCompleted: editText = root.mainWindow.controller.host
            onAccepted: root.mainWindow.startTrace()
            ToolTip.visible: hovered && editText.length === 0
            ToolTip.text: qsTr("A host name or address; Enter starts the trace")
        }
        ComboBox {
            id: methodBox
            objectName: "methodBox"
            model: [ { text: "UDP", value: TraceController.Udp }, { text: "ICMP", value: TraceController.Icmp },
                     { text: "TCP", value: TraceController.Tcp }, { text: qsTr("Auto"), value: TraceController.Auto } ]
            textRole: "text"
            valueRole: "value"
            Component.onCompleted: currentIndex = indexOfValue(root.mainWindow.controller.method)
            onActivated: root.mainWindow.controller.method = currentValue
            Layout.preferredWidth: 96
            ToolTip.visible: hovered
            ToolTip.text: qsTr("Probe method (Auto: ICMP when permitted, else UDP)")
        }
        ComboBox {
            id: familyBox
            objectName: "familyBox"
            model: [ { text: "IPv4/IPv6", value: TraceController.AnyFamily }, { text: "IPv4", value: TraceController.IPv4 },
                     { text: "IPv6", value: TraceController.IPv6 } ]
            textRole: "text"
            valueRole: "value"
            Component.onCompleted: currentIndex = indexOfValue(root.mainWindow.controller.family)
            onActivated: root.mainWindow.controller.family = currentValue
            Layout.preferredWidth: 116
        }
        Button {
            objectName: "traceButton"
            text: qsTr("Trace")
            highlighted: !root.mainWindow.watchMode
            Layout.preferredWidth: 84
            enabled: hostField.editText.trim().length > 0
            onClicked: root.mainWindow.startTrace()
        }
        Button {
            objectName: "watchButton"
            text: qsTr("Watch")
            highlighted: root.mainWindow.watchMode
            Layout.preferredWidth: 84
            enabled: hostField.editText.trim().length > 0
            onClicked: root.mainWindow.startWatch()
            ToolTip.visible: hovered
            ToolTip.text: qsTr("Trace again every second with per-hop statistics (Ctrl+W)")
        }
        Button {
            objectName: "stopButton"
            text: qsTr("Stop")
            Layout.preferredWidth: 84
            enabled: root.mainWindow.controller.running || root.mainWindow.watch.active
            onClicked: root.mainWindow.stopTrace()
        }
        // Which route the hop table lists: this machine's, or one vantage point's.
        ComboBox {
            objectName: "routeSelector"
            visible: root.mainWindow.vantage !== null && root.mainWindow.vantage.count > 0
            model: root.mainWindow.vantage ? [qsTr("This machine")].concat(root.mainWindow.vantage.routeList.map(r => r.name)) : []
            currentIndex: root.mainWindow.vantage ? root.mainWindow.vantage.selectedIndex + 1 : 0
            onActivated: (index) => { root.mainWindow.table.currentIndex = -1; root.mainWindow.vantage.selectedIndex = index - 1 }
            // A new model (the routes' list changes as they are located) can reset the current
            // index behind the binding: put the selected route back once the model has settled.
            onModelChanged: Qt.callLater(() => {
                currentIndex = Qt.binding(() => root.mainWindow.vantage ? root.mainWindow.vantage.selectedIndex + 1 : 0)
            })
            Layout.preferredWidth: 220
        }
        // Pause/resume the watch: one fixed-width button that says what a click does.
        Button {
            objectName: "pauseButton"
            text: root.mainWindow.watch.state === WatchController.Paused ? qsTr("Resume") : qsTr("Pause")
            Layout.preferredWidth: 76
            enabled: root.mainWindow.watch.active
            onClicked: root.mainWindow.togglePause()
            ToolTip.visible: hovered
            ToolTip.text: root.mainWindow.watch.state === WatchController.Paused ? qsTr("Resume the watch (Ctrl+P)") : qsTr("Pause the watch (Ctrl+P)")
        }
        // Always laid out, shown only while tracing: the controls never shift. Not during a
        // watch: its endless animation redraws the window at the frame rate (about 8 % of a
        // core, bench/watch_cpu.py); the status line counts the rounds instead.
        BusyIndicator {
            objectName: "busyIndicator"
            running: root.mainWindow.controller.running
            opacity: running ? 1 : 0
            Layout.preferredWidth: 28
            Layout.preferredHeight: 28
            Layout.rightMargin: 4
        }
    }
}
