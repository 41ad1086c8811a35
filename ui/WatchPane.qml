// The watch's chart pane, in the manner of PingPlotter's timeline: RTT over time for the hops
// chosen in the watch table (the destination when none), lost probes marked red along the top,
// over the last 1 min / 10 min / 1 h / all. Dragging across the chart sets the focus period
// that the table and the map are computed over (double-click: the whole watch again). Below
// it the path changes; selecting one shows the path before (faint, dashed) and after on the map.
// The window shows it as a column beside the map (Main.qml), so its parts are stacked.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tracemap.App

Pane {
    id: root

    required property WatchController watch
    // TTLs drawn; empty: the destination.
    property var ttls: []
    readonly property alias chart: chart

    padding: 4

    function timeText(ms) { return new Date(ms).toLocaleTimeString(Qt.locale(), "HH:mm:ss") }

    ColumnLayout {
        anchors.fill: parent
        spacing: 4

        RowLayout {
            Layout.fillWidth: true
            spacing: 8
            // Everything here fits the pane's minimum width (280 px): the title gives way first.
            Label {
                text: qsTr("RTT over time")
                font.bold: true
                elide: Text.ElideRight
                Layout.leftMargin: 4
                Layout.fillWidth: true
                Layout.minimumWidth: 40
            }
            ComboBox {
                id: windowBox
                objectName: "watchWindowBox"
                model: [ { text: qsTr("Last minute"), value: WatchController.LastMinute },
                         { text: qsTr("Last 10 minutes"), value: WatchController.Last10Minutes },
                         { text: qsTr("Last hour"), value: WatchController.LastHour },
                         { text: qsTr("All"), value: WatchController.All } ]
                textRole: "text"
                valueRole: "value"
                Component.onCompleted: currentIndex = indexOfValue(root.watch.timeWindow)
                onActivated: root.watch.timeWindow = currentValue
                Layout.preferredWidth: 128
                Layout.minimumWidth: 110
            }
            Button {
                objectName: "watchResetButton"
                text: qsTr("Reset")
                enabled: root.watch.state !== WatchController.Idle
                onClicked: root.watch.reset()
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Forget the statistics so far (Ctrl+R)")
            }
        }
        RowLayout {
            Layout.fillWidth: true
            spacing: 8
            Label {
                objectName: "watchFocusLabel"
                Layout.fillWidth: true
                Layout.minimumWidth: 40
                Layout.leftMargin: 4
                elide: Text.ElideRight
                opacity: 0.8
                text: root.watch.hasFocus
                      ? qsTr("Table and map: %1 – %2").arg(root.timeText(root.watch.focusStartMs)).arg(root.timeText(root.watch.focusEndMs))
                      : qsTr("Table and map: the whole watch (drag across the chart to focus)")
                ToolTip.visible: focusHover.hovered && truncated
                ToolTip.text: text
                HoverHandler { id: focusHover }
            }
            Button {
                objectName: "watchWholeButton"
                text: qsTr("Whole watch")
                visible: root.watch.hasFocus
                onClicked: root.watch.clearFocus()
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Table and map over the whole watch again (or double-click the chart)")
            }
        }

        SplitView {
            Layout.fillWidth: true
            Layout.fillHeight: true
            orientation: Qt.Vertical

            WatchChart {
                id: chart
                objectName: "watchChart"
                controller: root.watch
                ttls: root.ttls
                textColor: root.palette.text
                backgroundColor: root.palette.base
                SplitView.fillHeight: true
                SplitView.minimumHeight: 160

                // The drag's extent while it lasts.
                Rectangle {
                    id: dragBand
                    visible: drag.active
                    y: 8
                    height: parent.height - 28
                    color: "#331f77b4"
                    border.color: "#1f77b4"
                }
                DragHandler {
                    id: drag
                    target: null
                    xAxis.enabled: true
                    yAxis.enabled: false
                    onActiveTranslationChanged: {
                        const x0 = centroid.pressPosition.x
                        const x1 = x0 + activeTranslation.x
                        dragBand.x = Math.min(x0, x1)
                        dragBand.width = Math.abs(x1 - x0)
                    }
                    onActiveChanged: {
                        if (active || dragBand.width < 3)
                            return
                        root.watch.setFocusPeriod(chart.timeAt(dragBand.x), chart.timeAt(dragBand.x + dragBand.width))
                    }
                }
                TapHandler {
                    onDoubleTapped: root.watch.clearFocus()
                }
                // Which hops are drawn, in their colours.
                Row {
                    anchors { right: parent.right; top: parent.top; rightMargin: 14; topMargin: 12 }
                    spacing: 10
                    Repeater {
                        model: root.ttls.length > 0 ? root.ttls : (root.watch.model.count > 0 ? [-1] : [])
                        delegate: Label {
                            required property int modelData
                            text: modelData < 0 ? qsTr("destination") : qsTr("hop %1").arg(modelData)
                            color: modelData < 0 ? chart.colorOf(root.watch.model.get(root.watch.model.count - 1).ttl) : chart.colorOf(modelData)
                            font.pixelSize: 11
                            font.bold: true
                        }
                    }
                }
            }

            ColumnLayout {
                SplitView.preferredHeight: 150
                SplitView.minimumHeight: 80
                spacing: 2
                Label {
                    text: qsTr("Path changes (%1)").arg(root.watch.pathChanges.length)
                    font.bold: true
                    Layout.leftMargin: 6
                }
                ListView {
                    id: changeList
                    objectName: "pathChangeList"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    clip: true
                    model: root.watch.pathChanges
                    currentIndex: root.watch.selectedChange
                    ScrollBar.vertical: ScrollBar {}
                    delegate: ItemDelegate {
                        required property var modelData
                        required property int index
                        width: ListView.view.width
                        highlighted: index === root.watch.selectedChange
                        text: modelData.text
                        font.pixelSize: 12
                        onClicked: root.watch.selectChange(highlighted ? -1 : index)
                        ToolTip.visible: hovered
                        ToolTip.delay: 500
                        ToolTip.text: qsTr("Show the path before (dashed) and after this change on the map")
                    }
                    Label {
                        anchors.centerIn: parent
                        visible: changeList.count === 0
                        text: qsTr("None so far")
                        opacity: 0.5
                    }
                }
            }
        }
    }
}
