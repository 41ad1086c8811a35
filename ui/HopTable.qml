// The hop table: one row per TTL with address, reverse name, AS, place and RTT columns.
// A plain ListView over the hop model; the header row scrolls horizontally with it.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

Pane {
    id: root

    property alias model: list.model
    property alias currentIndex: list.currentIndex
    readonly property alias view: list

    padding: 0

    // Column widths in order: TTL, address, name, AS, place, loss, last, avg, best, worst, note.
    readonly property var columns: [
        { title: qsTr("TTL"), width: 48, align: Text.AlignRight },
        { title: qsTr("Address"), width: 140 },
        { title: qsTr("Reverse name"), width: 200 },
        { title: qsTr("AS"), width: 150 },
        { title: qsTr("Place"), width: 150 },
        { title: qsTr("Loss"), width: 56, align: Text.AlignRight },
        { title: qsTr("Last"), width: 64, align: Text.AlignRight },
        { title: qsTr("Avg"), width: 64, align: Text.AlignRight },
        { title: qsTr("Best"), width: 64, align: Text.AlignRight },
        { title: qsTr("Worst"), width: 64, align: Text.AlignRight },
        { title: qsTr("Note"), width: 260 }
    ]
    readonly property int rowWidth: {
        let w = 0
        for (let i = 0; i < columns.length; ++i)
            w += columns[i].width
        return w + 24
    }

    function rttText(ms) { return ms < 0 ? "–" : (ms < 10 ? ms.toFixed(2) : ms.toFixed(1)) }
    // The map's RTT scale: green below 20 ms, yellow around 80 ms, red from 200 ms.
    function rttColor(ms) {
        if (ms < 0) return "#9e9e9e"
        if (ms < 20) return "#2e9d4f"
        if (ms < 80) return "#c9a400"
        if (ms < 200) return "#e07b00"
        return "#c62828"
    }

    Rectangle {
        id: headerBar
        anchors { left: parent.left; right: parent.right; top: parent.top }
        height: 28
        color: Qt.darker(root.palette.window, 1.06)
        clip: true
        Row {
            x: 12 - list.contentX + list.originX
            height: parent.height
            Repeater {
                model: root.columns
                Label {
                    required property var modelData
                    width: modelData.width
                    height: headerBar.height
                    leftPadding: 6
                    rightPadding: 6
                    verticalAlignment: Text.AlignVCenter
                    horizontalAlignment: modelData.align !== undefined ? modelData.align : Text.AlignLeft
                    text: modelData.title
                    font.bold: true
                    font.pixelSize: 12
                }
            }
        }
        Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 1; color: root.palette.mid }
    }

    ListView {
        id: list
        objectName: "hopList"
        anchors { left: parent.left; right: parent.right; top: headerBar.bottom; bottom: parent.bottom }
        clip: true
        focus: true
        currentIndex: -1
        contentWidth: root.rowWidth
        flickableDirection: Flickable.AutoFlickIfNeeded
        boundsBehavior: Flickable.StopAtBounds
        keyNavigationEnabled: true
        highlightMoveDuration: 0
        ScrollBar.vertical: ScrollBar {}
        ScrollBar.horizontal: ScrollBar {}

        Label {
            anchors.centerIn: parent
            visible: list.count === 0
            text: qsTr("No hops yet")
            opacity: 0.5
        }

        delegate: Rectangle {
            id: rowItem
            required property int index
            required property int ttl
            required property string address
            required property string hostname
            required property int asn
            required property string asName
            required property string placeName
            required property double lossPercent
            required property double lastRttMs
            required property double avgRttMs
            required property double bestRttMs
            required property double worstRttMs
            required property string reason
            required property var responders
            required property bool hasLocation
            required property int received

            readonly property bool selected: ListView.isCurrentItem
            readonly property var cells: [
                String(ttl),
                address.length > 0 ? address + (responders.length > 1 ? qsTr("  (+%1)").arg(responders.length - 1) : "") : "*",
                hostname,
                asn > 0 ? ("AS" + asn + (asName.length > 0 ? " " + asName : "")) : "",
                placeName,
                received > 0 || lossPercent > 0 ? lossPercent.toFixed(0) + "%" : "",
                root.rttText(lastRttMs),
                root.rttText(avgRttMs),
                root.rttText(bestRttMs),
                root.rttText(worstRttMs),
                reason
            ]

            width: Math.max(list.width, root.rowWidth)
            height: 26
            color: selected ? root.palette.highlight
                 : (index % 2 ? Qt.darker(root.palette.base, 1.03) : root.palette.base)

            Row {
                x: 12
                height: parent.height
                Repeater {
                    model: root.columns.length
                    // Plain Text, not Label: rows are created while a trace streams in.
                    Text {
                        required property int index
                        // The note takes whatever width the other columns leave.
                        width: index === root.columns.length - 1
                               ? Math.max(root.columns[index].width, rowItem.width - root.rowWidth + root.columns[index].width)
                               : root.columns[index].width
                        height: rowItem.height
                        leftPadding: 6
                        rightPadding: 6
                        verticalAlignment: Text.AlignVCenter
                        horizontalAlignment: root.columns[index].align !== undefined ? root.columns[index].align : Text.AlignLeft
                        elide: Text.ElideRight
                        text: rowItem.cells[index]
                        font.family: index === 1 || (index >= 5 && index <= 9) ? "monospace" : Qt.application.font.family
                        font.pixelSize: 12
                        opacity: index === 10 ? 0.75 : 1.0
                        color: rowItem.selected ? root.palette.highlightedText : root.palette.text
                    }
                }
            }
            // RTT colour mark, the same scale as the map markers.
            Rectangle {
                x: 4
                anchors.verticalCenter: parent.verticalCenter
                width: 6
                height: 6
                radius: 3
                // Filled: on the map; hollow: no place.
                color: rowItem.hasLocation ? root.rttColor(rowItem.avgRttMs) : "transparent"
                border.width: rowItem.hasLocation ? 0 : 1.5
                border.color: root.rttColor(rowItem.avgRttMs)
            }
            ToolTip.visible: hoverArea.containsMouse && rowItem.responders.length > 1
            ToolTip.delay: 400
            ToolTip.text: qsTr("Responders: %1").arg(rowItem.responders.join(", "))
            MouseArea {
                id: hoverArea
                anchors.fill: parent
                hoverEnabled: true
                onClicked: { list.currentIndex = rowItem.index; list.forceActiveFocus() }
            }
        }
    }
}
