// The first-run offer of the offline IP database (GeoDbSetup, ui/geodbsetup.h): a slim bar above
// the map while the offer is visible. It says what is missing, "Install" starts the download
// (its progress lines replace the message; the button is disabled meanwhile) and "Not now" hides
// it. It sits in the window's content, below the toolbar, so the toolbar never moves.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tracemap.App

Pane {
    id: root
    required property GeoDbSetup setup
    property color errorColor: "#c62828"
    readonly property bool installing: setup.state === GeoDbSetup.Installing

    objectName: "geoDbBanner"
    visible: setup.offerVisible
    padding: 6
    leftPadding: 12
    background: Rectangle {
        color: Qt.tint(root.palette.window, "#1f1f6feb")
        Rectangle {
            anchors { left: parent.left; right: parent.right; bottom: parent.bottom }
            height: 1
            color: root.palette.mid
        }
    }

    RowLayout {
        anchors.fill: parent
        spacing: 8
        Label {
            objectName: "geoDbMessage"
            text: root.setup.message
            color: root.setup.state === GeoDbSetup.Failed ? root.errorColor : root.palette.windowText
            elide: Text.ElideRight
            maximumLineCount: 1
            Layout.fillWidth: true
            // The whole message when it is cut short.
            ToolTip.visible: truncated && hoverArea.hovered
            ToolTip.text: text
            HoverHandler { id: hoverArea }
        }
        Button {
            objectName: "geoDbInstall"
            text: root.installing ? qsTr("Installing…")
                  : root.setup.state === GeoDbSetup.Failed ? qsTr("Try again") : qsTr("Install")
            enabled: !root.installing
            highlighted: true
            onClicked: root.setup.install()
        }
        Button {
            objectName: "geoDbNotNow"
            text: qsTr("Not now")
            enabled: !root.installing
            onClicked: root.setup.dismiss()
        }
    }
}
